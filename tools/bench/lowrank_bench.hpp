#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace dop::bench {

/// Settings shared by the `dop-bench lowrank` subcommands.
struct LowRankBenchOptions {
  std::string preset = "smoke";
  std::string out = "dop-bench-out/lowrank";
  std::string reference_script;
  bool json = false;
  /// Overrides of the preset's problem for curves and agree (0 = the preset's).
  int64_t n = 0;
  int64_t rank = 0;
  double corruption = -1;
  uint64_t seed = 0;
  int threads = 0;
};

/// Adds `lowrank` with its subcommands (curves, phase, alpha, agree) to `app`.
CLI::App* add_lowrank_command(CLI::App& app, LowRankBenchOptions& options);

/// Runs the chosen subcommand of `lowrank`; returns the exit code.
int run_lowrank(const CLI::App& command, const LowRankBenchOptions& options);

}  // namespace dop::bench
