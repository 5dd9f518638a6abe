#include "dop/device.hpp"

#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include "dop/error.hpp"

namespace dop {

c10::Device resolve_device(const std::string& spec) {
  const bool have_cuda = torch::cuda::is_available();
  if (spec == "auto") return have_cuda ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  if (spec == "cpu") return c10::Device(c10::kCPU);
  if (spec.rfind("cuda", 0) != 0) {
    throw UsageError("unknown device '" + spec + "': use auto, cpu, cuda or cuda:N");
  }
  if (!have_cuda) {
    throw UsageError("device '" + spec +
                     "' asked for, but this build of LibTorch sees no CUDA GPU (use --device cpu, "
                     "or build against a CUDA LibTorch; see the README)");
  }
  int index = 0;
  if (spec != "cuda") {
    const std::string digits = spec.substr(5);
    if (spec[4] != ':' || digits.empty() || digits.size() > 4 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError("unknown device '" + spec + "': use auto, cpu, cuda or cuda:N");
    }
    index = std::stoi(digits);
  }
  const auto count = static_cast<int>(torch::cuda::device_count());
  if (index >= count) {
    throw UsageError("device '" + spec + "' does not exist: " + std::to_string(count) +
                     " CUDA device(s) visible (cuda:0 .. cuda:" + std::to_string(count - 1) + ")");
  }
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::vector<std::string> list_devices() {
  std::vector<std::string> names{"cpu (" + std::to_string(std::thread::hardware_concurrency()) +
                                 " cores)"};
  if (torch::cuda::is_available()) {
    for (size_t i = 0; i < torch::cuda::device_count(); ++i)
      names.push_back("cuda:" + std::to_string(i));
  }
  return names;
}

void tune_host_allocator() {
#if defined(__GLIBC__)
  // Serve buffers up to glibc's largest allowed threshold (32 MiB) from the heap rather
  // than fresh mmap()s, and never trim the heap's top back to the system.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 * 1024 * 1024);
#endif
}

int configure_threads(int requested) {
  if (requested < 0) {
    throw UsageError("threads must be >= 0 (0 = all cores), got " + std::to_string(requested));
  }
  int n = requested;
  if (n == 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(n);
  return at::get_num_threads();
}

}  // namespace dop
