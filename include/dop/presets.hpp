#pragma once

// Presets: named sets of TrainOptions (dop-restore --preset). docs/algorithm.md §2 says
// why fast and balanced differ from the paper's schedule; the paper preset is the
// published one (dop/paper.hpp).

#include <string>

namespace dop {

struct TrainOptions;

/// Named settings, from quickest to the paper's exact schedule (dop-restore --preset).
enum class Preset {
  /// As balanced but width 32: about two thirds of the time, 0.7-0.9 dB lower, and a longer
  /// run slowly loses quality (docs/results/speed).
  kFast,
  /// The default: width 48, at most 2,200 iterations (steps decaying as
  /// 2000/(t(1 + ln(t/2000))) after 2,000), the output's moving average, the automatic stop;
  /// minutes on a CPU. A 3x longer run was measured within 0.3 dB of its result
  /// (docs/results/speed/step).
  kBalanced,
  /// The published schedule: width 128, 150,000 iterations, tau 1, alpha 500, g and h from
  /// 1e-5. Hours on a GPU, days on a CPU; for reproducing the paper.
  kPaper,
};

/// "fast", "balanced", "paper".
std::string to_string(Preset preset);
/// Inverse of to_string; throws dop::UsageError for anything else.
Preset parse_preset(const std::string& name);

/// The settings of a preset (DOP, seed 0). Every field may be changed afterwards.
TrainOptions preset_options(Preset preset);
/// Whether the preset stops by itself once the output has stopped changing (see
/// ConvergenceStop); the paper's schedule runs all its iterations.
bool preset_stops_when_converged(Preset preset);

}  // namespace dop
