#pragma once

#include <string>
#include <vector>

#include <c10/core/Device.h>

namespace dop {

/// Parses "auto", "cpu", "cuda" or "cuda:N". "auto" is the first CUDA device when the
/// linked LibTorch sees one, else the CPU. Throws dop::UsageError for an unknown
/// spelling or a CUDA device that is not there.
c10::Device resolve_device(const std::string& spec);

/// Human-readable names of the devices this build can use, CPU first.
std::vector<std::string> list_devices();

/// Sets LibTorch's intra-op threads: `requested` ≥ 1, or 0 = all cores.
/// Returns the number in effect. Throws dop::UsageError when requested < 0.
int configure_threads(int requested);

/// Keeps freed tensor memory in the process instead of returning it to the system after
/// every step. A training step frees and reallocates the same large buffers each
/// iteration; with glibc's defaults that costs page faults and zeroing on every step
/// (measured: 10-25% of a CPU step at 128x128). Call once at start-up; no-op off glibc.
void tune_host_allocator();

}  // namespace dop
