// The automatic stop (docs/algorithm.md §2): the RMS change of the result over a window of
// iterations, sqrt(mean((x_t − x_{t−window})²)), below the tolerance for `patience`
// windows in a row, after at least `min_iterations`; for a composed result, also the early
// end once the composed result has stayed still from the first window to `settle_by`.
#include "dop/convergence.hpp"

#include "dop/metrics.hpp"

namespace dop {
ConvergenceStop default_convergence_stop(ComposeMode compose) {
  ConvergenceStop stop;
  stop.settle = compose == ComposeMode::kAuto;
  return stop;
}

ConvergenceMonitor::ConvergenceMonitor(const ConvergenceStop& stop)
    : stop_(stop), window_(stop.window > 0 ? stop.window : ConvergenceStop{}.window) {}

bool ConvergenceMonitor::update(int64_t t, const at::Tensor& output, const at::Tensor& composed) {
  ConvergenceState& s = seen_;
  composed_change_ = std::numeric_limits<double>::quiet_NaN();
  if (s.previous.defined()) {
    s.change = rms_difference(output, s.previous);
    s.quiet_windows = s.change < stop_.tolerance ? s.quiet_windows + 1 : 0;
  }
  s.previous = output;
  if (composed.defined() && s.settling) {
    if (s.previous_composed.defined()) {
      composed_change_ = rms_difference(composed, s.previous_composed);
      s.settling = composed_change_ < stop_.settle_tolerance;
      ++s.settle_windows;
    }
    s.previous_composed = composed;
    // Every window from the first compared: a monitor that missed the first does not settle.
    settled_ = s.settling && stop_.enabled && stop_.settle && t == stop_.settle_by &&
               s.settle_windows == stop_.settle_by / window_ - 1;
  }
  if (t >= stop_.settle_by) s.previous_composed = at::Tensor();
  return settled_ ||
         (stop_.enabled && s.quiet_windows >= stop_.patience && t >= stop_.min_iterations);
}

}  // namespace dop
