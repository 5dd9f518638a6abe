#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace dop::bench {

/// Settings of `dop-bench speed`: PSNR against wall-clock time for the Python reference
/// with the paper's schedule and for dop-restore's presets, same image, threads, machine.
struct SpeedBenchOptions {
  /// The clean image (default: the paper's F16 in `paper_dir`).
  std::string image;
  std::string paper_dir;
  /// SIDE:KIND:AMOUNT, KIND sp (salt-and-pepper) or rv (random-valued impulse).
  std::vector<std::string> workloads{"128:sp:0.5", "256:sp:0.5", "128:rv:0.3"};
  /// dop-restore presets run on every workload (the first is the one compared).
  std::vector<std::string> presets{"balanced"};
  /// The reference's time limit (its paper schedule would take days).
  double reference_seconds = 900.0;
  /// Times (seconds) at which the table reports each side's PSNR.
  std::vector<double> report_at{60.0, 120.0, 300.0, 900.0};
  /// Iterations between the reference's PSNR samples.
  int reference_every = 10;
  /// Threads of both sides (0 = all cores).
  int threads = 0;
  uint64_t noise_seed = 0;
  std::string python = "/usr/bin/python3";
  std::string script;
  /// dop-restore to run (default: the one built next to dop-bench).
  std::string restore;
  std::string out = "dop-bench-out/speed";
  bool skip_reference = false;
  /// Take a run whose results are already in OUT/runs/ from there instead of running it
  /// again (to finish an interrupted benchmark, or to remake the tables and plot).
  bool reuse = false;
};

CLI::App* add_speed_command(CLI::App& app, SpeedBenchOptions& options);
int run_speed(const SpeedBenchOptions& options);

}  // namespace dop::bench
