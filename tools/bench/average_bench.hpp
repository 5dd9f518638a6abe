#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace dop::bench {

/// Settings of `dop-bench average`: one DOP run (the balanced preset's settings unless
/// changed), the PSNR of its last output and of moving averages of the output with several
/// weights β, and the output's RMS change per window, one CSV row per sample. The averages
/// do not feed back into the training, so one run measures every β.
struct AverageBenchOptions {
  std::string clean;
  std::string noisy;
  std::string out;
  int64_t iterations = 3000;
  int64_t width = 0;            // 0 = the preset's
  int64_t lr_decay_start = -1;  // -1 = the preset's
  std::string lr_decay;         // empty = the preset's
  double lr = 0.0;              // 0 = the preset's
  double alpha = 0.0;           // 0 = the preset's
  std::vector<double> betas{0.9, 0.95, 0.98, 0.99, 0.995};
  int64_t every = 50;
  int64_t window = 100;
  int threads = 1;
  uint64_t seed = 0;
};

CLI::App* add_average_command(CLI::App& app, AverageBenchOptions& options);
int run_average(const AverageBenchOptions& options);

}  // namespace dop::bench
