// libFuzzer harness: any bytes given to dop-restore as an image file. The only allowed
// outcomes are an Image that satisfies its contract, or a dop::InputError; a crash, a
// sanitizer report, a hang, another exception or a broken contract is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <ATen/ATen.h>

#include "dop/error.hpp"
#include "dop/image_io.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // A few megapixels: the fuzzer's memory limit, not the product's default, bounds this.
  dop::set_max_image_pixels(uint64_t{1} << 22);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<char> bytes(data, data + size);
  dop::Image image;
  try {
    image = dop::decode_image(bytes, "fuzz-input");
  } catch (const dop::InputError&) {
    return 0;
  }
  // The contract of dop::Image.
  const at::Tensor& p = image.pixels;
  const bool ok_shape = p.dim() == 3 && (p.size(0) == 1 || p.size(0) == 3) && p.size(1) >= 1 &&
                        p.size(2) >= 1 && p.scalar_type() == at::kFloat;
  const bool ok_alpha = !image.alpha.defined() ||
                        (image.alpha.dim() == 3 && image.alpha.size(0) == 1 &&
                         image.alpha.size(1) == p.size(1) && image.alpha.size(2) == p.size(2));
  const bool ok_depth = image.bit_depth == 8 || image.bit_depth == 16 || image.bit_depth == 32;
  if (!ok_shape || !ok_alpha || !ok_depth) std::abort();
  if (!p.isfinite().all().item<bool>() || p.min().item<float>() < 0.0f ||
      p.max().item<float>() > 1.0f) {
    std::abort();
  }
  return 0;
}
