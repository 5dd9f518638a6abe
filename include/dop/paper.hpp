#pragma once

// The paper's settings, named once (C. You, Z. Zhu, Q. Qu, Y. Ma, NeurIPS 2020, and its
// published code): the defaults of TrainOptions, SkipNetOptions and SparseNoise and the
// paper preset are these. docs/algorithm.md §1.

#include <cstdint>

namespace dop::paper {

/// The network's step τ (plain gradient descent).
inline constexpr double kLr = 1.0;
/// The ratio α of the g, h step to the network's.
inline constexpr double kAlpha = 500.0;
/// Gradient steps of a run; the result is the network output at the last one.
inline constexpr int64_t kIterations = 150000;
/// Channels of every level of the U-Net.
inline constexpr int64_t kWidth = 128;
/// g and h start as N(0, kSparseInitScale²) per sample.
inline constexpr double kSparseInitScale = 1e-5;
/// The network input z is uniform in [0, kInputScale).
inline constexpr double kInputScale = 0.1;
/// Standard deviation of the fresh Gaussian jitter added to z at every step.
inline constexpr double kInputJitter = 1.0 / 30.0;

}  // namespace dop::paper
