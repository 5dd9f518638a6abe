#pragma once

// The step rule: how large the steps are and how they shrink (docs/algorithm.md §2).
//
//   size factor   s = sqrt(C·H·W / (3·128·128))
//   network step  τ = max(1, 2·s)                         (the paper: τ = 1)
//   g, h step     α·τ = max(500·s, 300·2·s²)              (the paper: α = 500, τ = 1)
//   decay after S τ_t = τ·S/(t·(1 + ln(t/S))), α kept     (the paper: constant steps)
//
// A larger image gets proportionally larger steps so that it converges in about as many
// iterations as a 128×128 one (docs/results/speed/size, docs/results/speed/step).

#include <cstdint>
#include <string>

namespace dop {

/// The automatic settings (TrainOptions::lr = 0, alpha = 0) follow the image's size factor
/// s = sqrt(C·H·W / kAutoSizeElements), 1 for a 3×128×128 image. For DOP the network step
/// is τ = max(1, kAutoLr · s) and the g, h step α·τ = max(kAutoSmallSparseStep · s,
/// kAutoAlpha · kAutoLr · s²): τ 2 and α 300 at 128×128 RGB, τ 4 and α 600 at 256×256,
/// τ 1 and α 250 at 64×64 (where the second rule's g, h step, 150, was measured too slow
/// for 50% salt-and-pepper), α = 500·s below that. See docs/results/speed/step.
inline constexpr double kAutoLr = 2.0;
inline constexpr double kAutoAlpha = 300.0;
inline constexpr double kAutoSmallSparseStep = 500.0;
inline constexpr double kAutoSizeElements = 3.0 * 128.0 * 128.0;

/// sqrt(elements / kAutoSizeElements).
double size_factor(int64_t elements);

/// How DOP's two steps shrink after TrainOptions::lr_decay_start = S (their ratio kept).
enum class StepDecay {
  /// S/t.
  kInverse,
  /// S/(t·(1 + ln(t/S))): shrinks faster than S/t, yet its sum still grows without bound
  /// (as S·ln(1 + ln(t/S))), so training never freezes; from S to 3S it moves the
  /// parameters about two thirds as far as S/t (docs/results/speed/step).
  kInverseLog,
};

/// "inverse", "inverse-log".
std::string to_string(StepDecay decay);
/// Inverse of to_string; throws dop::UsageError for anything else.
StepDecay parse_step_decay(const std::string& name);

/// The factor both steps are multiplied by at iteration t (counted from 1) for decay
/// start S: 1 up to S (and always for S = 0), then as `decay` says.
double step_decay_factor(int64_t t, int64_t start, StepDecay decay);

/// DOP's automatic network step τ for size factor s: max(paper τ, kAutoLr · s).
double auto_dop_lr(double s);
/// DOP's automatic α for size factor s, with the automatic τ: the g, h step
/// max(kAutoSmallSparseStep · s, kAutoAlpha · kAutoLr · s²) divided by auto_dop_lr(s).
double auto_dop_alpha(double s);

}  // namespace dop
