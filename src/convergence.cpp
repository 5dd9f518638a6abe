// The automatic stop (docs/algorithm.md §2): the RMS change of the result over a window of
// iterations, sqrt(mean((x_t − x_{t−window})²)), below the tolerance for `patience`
// windows in a row, after at least `min_iterations`.
#include "dop/convergence.hpp"

#include <ATen/ATen.h>

namespace dop {

ConvergenceMonitor::ConvergenceMonitor(const ConvergenceStop& stop)
    : stop_(stop), window_(stop.window > 0 ? stop.window : ConvergenceStop{}.window) {}

bool ConvergenceMonitor::update(int64_t t, const at::Tensor& output) {
  if (previous_.defined()) {
    change_ = (output - previous_).square().mean().sqrt().item<double>();
    quiet_windows_ = change_ < stop_.tolerance ? quiet_windows_ + 1 : 0;
  }
  previous_ = output;
  return stop_.enabled && quiet_windows_ >= stop_.patience && t >= stop_.min_iterations;
}

}  // namespace dop
