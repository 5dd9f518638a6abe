#pragma once

// The automatic stop (docs/algorithm.md §2): every `window` iterations the result is
// compared with the one a window before,
//
//   change = sqrt(mean((x_t − x_{t−window})²))      (intensities in [0, 1])
//
// and the run ends once the change has stayed below the tolerance for `patience` windows
// in a row, after at least `min_iterations`. The paper has no such stop: it runs a fixed
// number of steps.

#include <cstdint>
#include <limits>

#include <ATen/core/Tensor.h>

namespace dop {

/// When restore() may end before TrainOptions::iterations because the output has stopped
/// changing. Every `window` iterations the result (Trainer::output(): cropped, clamped to
/// [0, 1], the moving average when TrainOptions::output_average > 0) is compared with the
/// one `window` iterations before: the root-mean-square difference is the "change" (in
/// units of the full intensity range). The run stops once the change has stayed below
/// `tolerance` for `patience` windows in a row, after at least `min_iterations`.
/// The tolerance suits the presets' average (β 0.95), whose change levels off at
/// 0.002-0.004 at 128×128 and 0.0018-0.0025 at 256×256 (docs/results/speed/average and
/// speed/size). A slow steady climb looks the same per window: 0.005 stopped kodim03 0.47 dB
/// below its 2,000-iteration result at 128×128, and 0.004 stopped it at 256×256 0.39 dB
/// below. The last output alone keeps changing by 0.02-0.03 from the input jitter, so
/// without the average the default tolerance is never met.
struct ConvergenceStop {
  bool enabled = false;
  int64_t window = 100;
  double tolerance = 0.0025;
  int64_t patience = 3;
  int64_t min_iterations = 1000;
};

/// Watches the output of a run for ConvergenceStop: give it the output at the end of each
/// window (at_window).
class ConvergenceMonitor {
 public:
  explicit ConvergenceMonitor(const ConvergenceStop& stop);
  /// Whether iteration `t` ends a window (the change is measured there even when the stop
  /// is disabled: it is reported).
  bool at_window(int64_t t) const { return t % window_ == 0; }
  /// Takes the output at the end of the window ending at iteration `t`; true when the run
  /// should stop there.
  bool update(int64_t t, const at::Tensor& output);
  /// The latest change (NaN before the first window ends).
  double change() const { return change_; }

 private:
  ConvergenceStop stop_;
  int64_t window_;
  at::Tensor previous_;
  double change_ = std::numeric_limits<double>::quiet_NaN();
  int64_t quiet_windows_ = 0;
};

}  // namespace dop
