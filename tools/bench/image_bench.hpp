#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <CLI/CLI.hpp>

namespace dop::bench {

/// An image file as C×H×W floats in [0, 1]: centre square crop scaled to size×size with
/// INTER_AREA (size 0: as it is).
at::Tensor load_clean(const std::filesystem::path& file, int64_t size);

/// Settings of the image experiments (`dop-bench figure3|figure4|figure5|impulse`).
/// Zero / empty values mean "the preset's".
struct ImageBenchOptions {
  /// smoke (tiny, seconds), cpu (downscaled, this 2-core machine), paper (the paper's).
  std::string preset = "cpu";
  /// Image files or folders (every readable image in a folder, sorted). Default: the
  /// paper's four images in `paper_dir`.
  std::vector<std::string> images;
  /// The one image of figure4 and of figure5's levels panel. Default: F16 in `paper_dir`.
  std::string image;
  std::string paper_dir;
  /// Methods to run: dop, dip, dip-l1, median, switching-median. Default: all (figure5:
  /// the three trained ones).
  std::vector<std::string> methods;
  /// Corruption amounts (figure4, impulse, figure5's levels panel).
  std::vector<double> levels;
  /// Side the images are scaled to after a centre square crop; 0 = full size, as is.
  int64_t size = -1;
  int64_t width = 0;
  int64_t iterations = 0;
  /// DOP's α; 0 = the library's default.
  double alpha = 0.0;
  /// DOP's network step τ; 0 = the library's default (DIP and DIP-L1 keep Adam's 0.01).
  double lr = 0.0;
  /// Each run repeated with seeds 0 … seeds-1 (noise and training); mean and spread.
  int seeds = 0;
  /// Learning-curve samples every this many iterations.
  int64_t log_every = 0;
  /// Output folder; default dop-bench-out/<subcommand>.
  std::string out;
  std::string device = "auto";
  int threads = 0;
  /// Runs at a time (threads of one process); 0 = one per core on the CPU, 1 on a GPU.
  /// On 2 cores, 2 jobs of 1 thread each do about 1.35x the work of 1 job of 2 threads
  /// at 128x128.
  int jobs = 0;
  bool quiet = false;
};

/// Adds figure3, figure4, figure5, impulse and all to `app`; returns them.
std::vector<CLI::App*> add_image_commands(CLI::App& app, ImageBenchOptions& options);

/// Runs the image experiment `name`; returns the exit code.
int run_image_bench(const std::string& name, ImageBenchOptions options);

}  // namespace dop::bench
