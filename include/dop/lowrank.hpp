#pragma once

#include <cstdint>
#include <functional>

#include <ATen/core/Tensor.h>

/// Robust PCA by double over-parameterisation (docs/algorithm.md §1): Y = X* + S*, with X*
/// low rank and S* sparse, recovered as X = U Uᵀ and S = g⊙g − h⊙h by gradient descent
/// with discrepant steps, without knowing the rank. Plus the classical l1-loss
/// factorisation and convex robust PCA (principal component pursuit) to compare with.
/// All on LibTorch tensors, float64 by default, on any device the inputs live on.
namespace dop::lowrank {

/// A synthetic robust-PCA problem.
struct ProblemOptions {
  /// Matrix side n, ≥ 1.
  int64_t n = 50;
  /// Rank r of X* = W Wᵀ (W n×r, standard normal entries), 1..n.
  int64_t rank = 3;
  /// Fraction p of entries corrupted (symmetric pattern), in [0, 1].
  double corruption = 0.1;
  /// Corruption values are uniform in [−magnitude, magnitude], ≥ 0.
  double magnitude = 10.0;
  /// Seed of every draw.
  uint64_t seed = 0;
  /// 0 = square symmetric problem as above; else an n × columns problem with
  /// X* = A Bᵀ (A, B standard normal) and corruption drawn independently per entry.
  int64_t columns = 0;
};

/// Y = X* + S* (n×n and symmetric, or n × columns).
struct Problem {
  at::Tensor low_rank;  ///< X*, symmetric positive semi-definite of rank r
  at::Tensor sparse;    ///< S*, symmetric, a fraction p of entries non-zero
  at::Tensor observed;  ///< Y
};

/// Draws a problem (float64, CPU). Throws dop::UsageError for options out of range.
Problem make_problem(const ProblemOptions& options);

/// A recovered decomposition Y ≈ X + S.
struct Solution {
  at::Tensor low_rank;
  at::Tensor sparse;
  /// Iterations run (fewer than the limit when the tolerance stopped the run).
  int64_t iterations = 0;
};

/// Called every `callback_every` iterations with the iteration count and the current X, S.
using Observer =
    std::function<void(int64_t iteration, const at::Tensor& low_rank, const at::Tensor& sparse)>;

/// DOP: gradient descent on ¼‖U Uᵀ + g⊙g − h⊙h − Y‖²_F, step τ for U and α·τ for g, h.
/// For a rectangular Y (m×n), or with `asymmetric`, X = U Vᵀ with the same updates
/// (U ← U − τ R V, V ← V − τ Rᵀ U): e.g. a video's frames as columns, the static
/// background as the low-rank part and moving objects as the sparse part.
struct DopOptions {
  /// Columns r' of U (and V); 0 = min(m, n) (fully over-parameterised: no rank needed).
  int64_t rank = 0;
  /// Use X = U Vᵀ also for a square Y (for square matrices that are not symmetric).
  bool asymmetric = false;
  /// Step τ for U; 0 = 0.25 / ‖Y‖₂ (spectral norm).
  double step = 0.0;
  /// Ratio α of the g, h step to τ; 0 = √max(m, n) (which matches RPCA's λ = 1/√max(m, n)).
  double alpha = 0.0;
  /// Initial scale ε: U (and V) = ε·N(0, 1/max(m, n)) entries, g = h = ε.
  double init_scale = 1e-4;
  /// Iteration limit, ≥ 1.
  int64_t max_iterations = 20000;
  /// Stop once ‖X_k − X_{k−1}‖_F / ‖X_k‖_F falls below this (checked every 100
  /// iterations); 0 = run to the limit.
  double tolerance = 0.0;
  /// Seed of U's initialisation.
  uint64_t seed = 0;
};

/// Runs DOP on Y (square symmetric: X = U Uᵀ; otherwise X = U Vᵀ). Throws dop::UsageError for bad
/// options and dop::RuntimeError when the iterates blow up (step or alpha too large).
Solution solve_dop(const at::Tensor& observed, const DopOptions& options,
                   const Observer& observer = {}, int64_t callback_every = 100);

/// The classical alternative: min_U ‖Y − U Uᵀ‖₁ by subgradient descent, step
/// step·decay^⌊k/decay_every⌋ on the gradient (G + Gᵀ) U / n, G = sign(U Uᵀ − Y).
struct L1Options {
  /// Columns r' of U; 0 = n.
  int64_t rank = 0;
  double step = 0.05;
  double decay = 0.99;
  int64_t decay_every = 100;
  int64_t iterations = 5000;
  uint64_t seed = 0;
};

/// Runs the l1 factorisation; the returned Solution's sparse part is Y − U Uᵀ.
Solution solve_l1(const at::Tensor& observed, const L1Options& options,
                  const Observer& observer = {}, int64_t callback_every = 100);

/// Convex robust PCA, min ‖X‖_* + λ‖S‖₁ s.t. X + S = Y, by the inexact augmented
/// Lagrangian method (Lin, Chen, Ma 2010): μ₀ = 1.25/‖Y‖₂, ρ = 1.5.
struct RpcaOptions {
  /// λ; 0 = 1/√max(m, n). Y may be rectangular.
  double lambda = 0.0;
  int64_t max_iterations = 1000;
  /// Stop once ‖Y − X − S‖_F / ‖Y‖_F falls below this.
  double tolerance = 1e-9;
};

Solution solve_rpca(const at::Tensor& observed, const RpcaOptions& options = {});

/// ‖a − b‖_F / ‖b‖_F.
double relative_error(const at::Tensor& a, const at::Tensor& b);

}  // namespace dop::lowrank
