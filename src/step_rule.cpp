// The step rule (docs/algorithm.md §2): the steps grow with the image's size factor
// s = sqrt(C·H·W / (3·128·128)) as τ = max(1, 2s) and α·τ = max(500s, 600s²), and shrink
// after iteration S as S/(t(1 + ln(t/S))). Equations and measurements: dop/step_rule.hpp.
#include "dop/step_rule.hpp"

#include <algorithm>
#include <cmath>

#include "dop/paper.hpp"
#include "dop/trainer.hpp"
#include "named.hpp"

namespace dop {
namespace {

// The least automatic step: Adam's for the DIP baselines.
constexpr double kAdamLr = 0.01;

}  // namespace

double auto_dop_lr(double s) { return std::max(paper::kLr, kAutoLr * s); }

double auto_dop_alpha(double s) {
  // α·τ, the g, h step: the larger of the two rules, each measured where it wins
  // (docs/results/speed/step).
  return std::max(kAutoSmallSparseStep * s, kAutoAlpha * kAutoLr * s * s) / auto_dop_lr(s);
}

std::string to_string(StepDecay decay) {
  switch (decay) {
    case StepDecay::kInverse:
      return "inverse";
    case StepDecay::kInverseLog:
      return "inverse-log";
  }
  return "?";
}

StepDecay parse_step_decay(const std::string& name) {
  return detail::parse_named(name, {StepDecay::kInverse, StepDecay::kInverseLog}, "step decay");
}

double step_decay_factor(int64_t t, int64_t start, StepDecay decay) {
  if (start <= 0 || t <= start) return 1.0;
  const double r = static_cast<double>(t) / static_cast<double>(start);
  return decay == StepDecay::kInverse ? 1.0 / r : 1.0 / (r * (1.0 + std::log(r)));
}

double size_factor(int64_t elements) {
  return std::sqrt(static_cast<double>(std::max<int64_t>(elements, 1)) / kAutoSizeElements);
}

double TrainOptions::effective_lr(int64_t elements) const {
  if (lr > 0.0) return lr;
  return method == Method::kDop ? auto_dop_lr(size_factor(elements)) : kAdamLr;
}

double TrainOptions::effective_alpha(int64_t elements) const {
  if (alpha > 0.0) return alpha;
  // With an explicit τ the α is still the one the rule would use with its own τ.
  return auto_dop_alpha(size_factor(elements));
}

}  // namespace dop
