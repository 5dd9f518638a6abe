// The presets (dop-restore --preset): paper is the published schedule (dop/paper.hpp);
// fast and balanced keep the paper's model and start, and use the step rule
// (dop/step_rule.hpp), a narrower network, a bounded number of iterations, the output's
// moving average and the composition. docs/algorithm.md §2-3 has the measurements.
#include "dop/presets.hpp"

#include "dop/paper.hpp"
#include "dop/trainer.hpp"
#include "named.hpp"

namespace dop {
namespace {

// fast and balanced: the paper's g,h start and the automatic τ and α (both follow the image
// size), with a narrower network and at most 2,200 iterations, the last 200 already on steps
// decaying as 2000/(t(1 + ln(t/2000))). Decaying that way rather than as 2000/t keeps a 3x
// longer run from fitting the noise as far; the 200 iterations more let a run on heavy noise
// converge further before the preset ends. Together they keep a 3x longer run of balanced
// within 0.3 dB of its result on every bench case (docs/results/speed/step).
constexpr int64_t kBalancedWidth = 48;
constexpr int64_t kFastWidth = 32;
constexpr int64_t kPresetIterations = 2200;
constexpr int64_t kPresetDecayStart = 2000;
constexpr double kPresetOutputAverage = 0.95;

}  // namespace

std::string to_string(Preset preset) {
  switch (preset) {
    case Preset::kFast:
      return "fast";
    case Preset::kBalanced:
      return "balanced";
    case Preset::kPaper:
      return "paper";
  }
  return "?";
}

Preset parse_preset(const std::string& name) {
  return detail::parse_named(name, {Preset::kFast, Preset::kBalanced, Preset::kPaper}, "preset");
}

TrainOptions preset_options(Preset preset) {
  TrainOptions o;
  switch (preset) {
    case Preset::kPaper:
      o.iterations = paper::kIterations;
      o.network.width = paper::kWidth;
      o.lr = paper::kLr;
      o.alpha = paper::kAlpha;
      o.sparse_init_scale = paper::kSparseInitScale;
      break;
    case Preset::kBalanced:
    case Preset::kFast:
      o.iterations = kPresetIterations;
      o.network.width = preset == Preset::kFast ? kFastWidth : kBalancedWidth;
      o.lr_decay_start = kPresetDecayStart;
      o.lr_decay = StepDecay::kInverseLog;
      o.output_average = kPresetOutputAverage;
      o.compose = ComposeMode::kAuto;
      break;
  }
  return o;
}

bool preset_stops_when_converged(Preset preset) { return preset != Preset::kPaper; }

}  // namespace dop
