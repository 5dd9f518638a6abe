// Reads an image, restores it for a few iterations with the library and prints what it did:
// the installed headers and libraries are enough to build and run it.
#include <cstdio>

#include "dop/image_io.hpp"
#include "dop/metrics.hpp"
#include "dop/presets.hpp"
#include "dop/trainer.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer IMAGE\n");
    return 2;
  }
  dop::Image image = dop::load_image(argv[1]);
  dop::TrainOptions options = dop::preset_options(dop::Preset::kFast);
  options.iterations = 3;
  options.network.width = 4;
  const dop::Restoration r = dop::restore(image.pixels, options);
  std::printf("%lldx%lld, %lld iterations, PSNR against the input %.2f dB\n",
              static_cast<long long>(image.width()), static_cast<long long>(image.height()),
              static_cast<long long>(r.iterations), dop::psnr(r.image, image.pixels));
  return r.image.sizes() == image.pixels.sizes() ? 0 : 1;
}
