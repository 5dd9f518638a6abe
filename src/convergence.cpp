// The automatic stop (docs/algorithm.md §2): the RMS change of the result over a window of
// iterations, sqrt(mean((x_t − x_{t−window})²)), below the tolerance for `patience`
// windows in a row, after at least `min_iterations`; for a composed result, also the early
// end once the composed result has stayed still from the first window to `settle_by`.
#include "dop/convergence.hpp"

#include <ATen/ATen.h>

namespace dop {
namespace {

double rms_change(const at::Tensor& now, const at::Tensor& before) {
  return (now - before).square().mean().sqrt().item<double>();
}

}  // namespace

ConvergenceStop default_convergence_stop(ComposeMode compose) {
  ConvergenceStop stop;
  stop.settle = compose == ComposeMode::kAuto;
  return stop;
}

ConvergenceMonitor::ConvergenceMonitor(const ConvergenceStop& stop)
    : stop_(stop), window_(stop.window > 0 ? stop.window : ConvergenceStop{}.window) {}

bool ConvergenceMonitor::update(int64_t t, const at::Tensor& output, const at::Tensor& composed) {
  if (previous_.defined()) {
    change_ = rms_change(output, previous_);
    quiet_windows_ = change_ < stop_.tolerance ? quiet_windows_ + 1 : 0;
  }
  previous_ = output;
  if (composed.defined() && settling_) {
    if (previous_composed_.defined()) {
      settling_ = rms_change(composed, previous_composed_) < stop_.settle_tolerance;
      ++settle_windows_;
    }
    previous_composed_ = composed;
    // Every window from the first compared: a run resumed past the first does not settle.
    settled_ = settling_ && stop_.enabled && stop_.settle && t == stop_.settle_by &&
               settle_windows_ == stop_.settle_by / window_ - 1;
  }
  if (t >= stop_.settle_by) previous_composed_ = at::Tensor();
  return settled_ ||
         (stop_.enabled && quiet_windows_ >= stop_.patience && t >= stop_.min_iterations);
}

ConvergenceState ConvergenceMonitor::state() const {
  ConvergenceState s;
  s.previous = previous_;
  s.previous_composed = previous_composed_;
  s.change = change_;
  s.quiet_windows = quiet_windows_;
  s.settle_windows = settle_windows_;
  s.settling = settling_;
  return s;
}

void ConvergenceMonitor::restore(const ConvergenceState& state) {
  previous_ = state.previous;
  previous_composed_ = state.previous_composed;
  change_ = state.change;
  quiet_windows_ = state.quiet_windows;
  settle_windows_ = state.settle_windows;
  settling_ = state.settling;
}

}  // namespace dop
