#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace dop::bench {

/// Settings of `dop-bench memory`: peak memory of training against image size and width.
struct MemoryBenchOptions {
  std::vector<int64_t> sizes{64, 128, 256, 512};
  std::vector<int64_t> widths{16, 32, 64, 128};
  int64_t iterations = 3;
  /// Skip configurations whose estimate exceeds this many GiB.
  double max_gib = 12.0;
  std::string device = "cpu";
  std::string out = "dop-bench-out/memory";
  int threads = 0;
  // The hidden probe: one configuration, measured in a process of its own.
  bool probe = false;
  int64_t size = 0;
  int64_t width = 0;
};

/// Adds `memory` to `app`.
CLI::App* add_memory_command(CLI::App& app, MemoryBenchOptions& options);

/// Runs it; returns the exit code.
int run_memory(const MemoryBenchOptions& options);

}  // namespace dop::bench
