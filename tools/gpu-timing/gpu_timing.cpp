// dop-gpu-timing: seconds per DOP iteration of dop_core on one device, with nothing but
// LibTorch (it builds where OpenCV, CLI11 and the rest are absent, e.g. a GPU machine
// with only PyTorch). Prints one JSON line like the Python reference's --timing-only.
// usage: dop-gpu-timing SIZE WIDTH ITERATIONS [DEVICE] [WARMUP] [PRECISION] [CUDNN_BENCHMARK]
//   PRECISION: default, float32, tf32 or bf16 (dop::Precision); CUDNN_BENCHMARK: 0 or 1
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <ATen/ATen.h>

#include "dop/corruption.hpp"
#include "dop/device.hpp"
#include "dop/presets.hpp"
#include "dop/trainer.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: %s SIZE WIDTH ITERATIONS [DEVICE=auto] [WARMUP=20] [PRECISION=default] "
                 "[CUDNN_BENCHMARK=0]\n",
                 argv[0]);
    return 2;
  }
  try {
    const int64_t size = std::atoll(argv[1]);
    const int64_t width = std::atoll(argv[2]);
    const int64_t iterations = std::atoll(argv[3]);
    const c10::Device device = dop::resolve_device(argc > 4 ? argv[4] : "auto");
    const int64_t warmup = argc > 5 ? std::atoll(argv[5]) : 20;
    if (size < 16 || width < 1 || iterations < 1 || warmup < 0) {
      std::fprintf(stderr, "SIZE >= 16, WIDTH >= 1, ITERATIONS >= 1, WARMUP >= 0\n");
      return 2;
    }
    dop::configure_threads(0);
    dop::TrainOptions options = dop::preset_options(dop::Preset::kPaper);
    options.network.width = width;
    options.precision = dop::parse_precision(argc > 6 ? argv[6] : "default");
    options.cudnn_benchmark = argc > 7 && std::atoi(argv[7]) != 0;
    const at::Tensor clean = at::rand({3, size, size});
    dop::Trainer trainer(dop::salt_and_pepper(clean, 0.5, 0), options, device);
    at::Tensor loss;
    for (int64_t i = 0; i < warmup; ++i) loss = trainer.step();
    if (loss.defined()) (void)loss.item<double>();  // waits for the device
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < iterations; ++i) loss = trainer.step();
    (void)loss.item<double>();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "{\"size\": %lld, \"width\": %lld, \"iters\": %lld, \"device\": \"%s\", "
        "\"precision\": \"%s\", \"cudnn_benchmark\": %s, \"seconds\": %.6f, "
        "\"sec_per_iter\": %.6f}\n",
        static_cast<long long>(size), static_cast<long long>(width),
        static_cast<long long>(iterations), device.str().c_str(),
        dop::to_string(options.precision).c_str(), options.cudnn_benchmark ? "true" : "false",
        seconds, seconds / static_cast<double>(iterations));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dop-gpu-timing: error: %s\n", e.what());
    return 1;
  }
}
