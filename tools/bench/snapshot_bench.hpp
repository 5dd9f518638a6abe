#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace dop::bench {

/// Settings of `dop-bench snapshots`: one DOP run with a preset's settings (no automatic
/// stop) that saves, at the listed iterations, the network output f (the preset's result:
/// its moving average when the preset has one), the last step's output and the sparse
/// estimate S = g⊙g − h⊙h, for analysis outside the tool (e.g. Python's torch.load).
struct SnapshotBenchOptions {
  std::string noisy;
  std::string out;
  std::vector<int64_t> at{500, 1000, 2200};
  std::string preset = "balanced";
  int64_t width = 0;  // 0 = the preset's
  int threads = 1;
  uint64_t seed = 0;
};

CLI::App* add_snapshot_command(CLI::App& app, SnapshotBenchOptions& options);
int run_snapshots(const SnapshotBenchOptions& options);

/// Settings of `dop-bench compose`: the composition of saved snapshots (dop-bench
/// snapshots), its PSNR and that of f against the clean image, one CSV row per snapshot.
struct ComposeBenchOptions {
  std::string clean;
  std::string noisy;
  std::vector<std::string> snapshots;
  /// Folder for each snapshot's composed result, weight w and fill (<iteration>-x.tiff,
  /// -w.tiff, -fill.tiff: 32-bit float); empty: none written.
  std::string save;
  /// Where the detection starts: "sparse" or "residual"; empty: the tool's (DetectionOptions).
  std::string start;
  /// How a value the damage takes exactly is told: "median" or "mean"; empty: the tool's.
  std::string spike_test;
};

CLI::App* add_compose_command(CLI::App& app, ComposeBenchOptions& options);
int run_compose(const ComposeBenchOptions& options);

}  // namespace dop::bench
