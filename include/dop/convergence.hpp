#pragma once

// The automatic stop (docs/algorithm.md §2): every `window` iterations the result is
// compared with the one a window before,
//
//   change = sqrt(mean((x_t − x_{t−window})²))      (intensities in [0, 1])
//
// and the run ends once the change has stayed below the tolerance for `patience` windows
// in a row, after at least `min_iterations`. A run whose result is composed may also end
// early when the composed result has hardly changed since the first window (the damage
// was found at once). The paper has no such stop: it runs a fixed number of steps.

#include <cstdint>
#include <limits>

#include <ATen/core/Tensor.h>

#include "dop/compose.hpp"

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
///
/// A run whose result is composed (dop::compose) may end sooner: when the composed result's
/// change has stayed below `settle_tolerance` in every window from the first up to
/// iteration `settle_by`, the run ends there ("settled"). That is the damage found at once
/// and filled from the intact neighbours, the training adding little or taking away:
/// salt-and-pepper noise, a clean image, black dead pixels. Damage that the network must
/// learn to tell from the image (scratches, random-valued impulses, heavy salt-and-pepper
/// on small images) changes the composed result far more in those windows, and the run
/// goes on. Measured on 17 runs of the default (docs/results/stop): 10% salt-and-pepper, a
/// clean image, 50% at 256×256 and black dead pixels change by at most 0.0020 to iteration
/// 400 and end there 5.5× sooner, 0.3–0.6 dB below the whole run (the clean image 19 dB
/// above); the others change by at least 0.0029 (70% salt-and-pepper, which still gains
/// 1.3 dB by training on) in one of those windows. The tolerance sits between the two, near
/// the middle on a log scale.
struct ConvergenceStop {
  bool enabled = false;
  int64_t window = 100;
  double tolerance = 0.0025;
  int64_t patience = 3;
  int64_t min_iterations = 1000;
  /// Whether the early end of a composed run is on (settle_tolerance, settle_by). DOP
  /// only: the baselines have nothing to compose.
  bool settle = false;
  double settle_tolerance = 0.0025;
  /// A multiple of window, at least two windows.
  int64_t settle_by = 400;
};

/// The stop for a run whose result is composed (ComposeMode::kAuto: the early end on) or
/// is the output itself (kOff); disabled, like ConvergenceStop{}.
ConvergenceStop default_convergence_stop(ComposeMode compose);

/// What a ConvergenceMonitor has seen, kept in checkpoints so that a resumed run stops
/// where an uninterrupted one would.
struct ConvergenceState {
  at::Tensor previous;           ///< the output at the last window (undefined before one)
  at::Tensor previous_composed;  ///< the composed result at the last window, while settling
  double change = std::numeric_limits<double>::quiet_NaN();
  int64_t quiet_windows = 0;
  int64_t settle_windows = 0;  ///< windows whose composed change was measured
  bool settling = true;        ///< every composed change so far below the tolerance
};

/// Watches the output of a run for ConvergenceStop: give it the output at the end of each
/// window (at_window).
class ConvergenceMonitor {
 public:
  explicit ConvergenceMonitor(const ConvergenceStop& stop);
  /// Whether iteration `t` ends a window (the change is measured there even when the stop
  /// is disabled: it is reported).
  bool at_window(int64_t t) const { return t % window_ == 0; }
  /// Whether the composed result is wanted at iteration `t` (for update): at the windows
  /// up to ConvergenceStop::settle_by while the early end is still possible.
  bool wants_composed(int64_t t) const {
    return stop_.enabled && stop_.settle && seen_.settling && at_window(t) && t <= stop_.settle_by;
  }
  /// Takes the output (and, where wants_composed, the composed result) at the end of the
  /// window ending at iteration `t`; true when the run should stop there.
  bool update(int64_t t, const at::Tensor& output, const at::Tensor& composed = {});
  /// The latest change of the output (NaN before the first window ends).
  double change() const { return seen_.change; }
  /// The composed result's change measured by the latest update (NaN where it measured
  /// none).
  double composed_change() const { return composed_change_; }
  /// Whether the run ended by the early end of a composed run.
  bool settled() const { return settled_; }
  /// What it has seen so far, and the same given back (a resumed run).
  const ConvergenceState& state() const { return seen_; }
  void restore(const ConvergenceState& state) { seen_ = state; }

 private:
  ConvergenceStop stop_;
  int64_t window_;
  ConvergenceState seen_;
  bool settled_ = false;
  double composed_change_ = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace dop
