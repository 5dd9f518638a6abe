#include "dop/lowrank.hpp"

#include <cmath>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "dop/error.hpp"

namespace dop::lowrank {
namespace {

// n = 30, r = 2, 10% of entries corrupted with values in [−10, 10]: the paper's regime,
// small enough for seconds.
Problem small_problem(uint64_t seed = 0) {
  ProblemOptions o;
  o.n = 30;
  o.rank = 2;
  o.corruption = 0.1;
  o.seed = seed;
  return make_problem(o);
}

TEST(LowRank, ProblemHasTheAskedShape) {
  const Problem p = make_problem({});
  EXPECT_EQ(p.observed.sizes(), (std::vector<int64_t>{50, 50}));
  EXPECT_TRUE(torch::allclose(p.low_rank, p.low_rank.t()));
  EXPECT_TRUE(torch::equal(p.sparse, p.sparse.t()));
  EXPECT_EQ(at::linalg_matrix_rank(p.low_rank).item<int64_t>(), 3);
  EXPECT_GE(at::linalg_eigvalsh(p.low_rank).min().item<double>(), -1e-9);  // PSD
  const double hit = (p.sparse != 0).to(at::kDouble).mean().item<double>();
  EXPECT_NEAR(hit, 0.1, 0.03);  // decided once per pair (upper triangle), mirrored
  EXPECT_LE(p.sparse.abs().max().item<double>(), 10.0);
  EXPECT_TRUE(torch::equal(make_problem({}).observed, p.observed));  // seeded
  EXPECT_THROW(make_problem({10, 11, 0.1, 10, 0}), UsageError);
}

// Convex RPCA is the reference solution: it recovers this instance to round-off.
TEST(LowRank, ConvexRpcaRecovers) {
  const Problem p = small_problem();
  const Solution s = solve_rpca(p.observed);
  EXPECT_LT(relative_error(s.low_rank, p.low_rank), 1e-6);
  EXPECT_LT(relative_error(s.sparse, p.sparse), 1e-6);
}

// Without the rank (r' = n), DOP finds X*. Measured on this instance
// (dop-bench lowrank --n 30 --rank 2 --preset smoke curves): 3.3e-3 after 3,000
// iterations; the Python reference on its own draw: 3.3e-3.
TEST(LowRank, DopWithoutTheRankRecovers) {
  const Problem p = small_problem();
  DopOptions o;
  o.max_iterations = 20000;
  const Solution s = solve_dop(p.observed, o);
  EXPECT_LT(relative_error(s.low_rank, p.low_rank), 1e-2);
  // ... and the sparse part is the corruption.
  EXPECT_LT(relative_error(s.sparse, p.sparse), 1e-2);
}

// The theorem: DOP's limit is the RPCA solution with λ = 1/α.
TEST(LowRank, DopAgreesWithRpca) {
  const Problem p = small_problem();
  DopOptions o;
  const Solution dop = solve_dop(p.observed, o);
  RpcaOptions r;
  r.lambda = 1.0 / std::sqrt(30.0);
  const Solution rpca = solve_rpca(p.observed, r);
  ASSERT_LT(relative_error(rpca.low_rank, p.low_rank), 1e-6);  // an instance RPCA solves
  EXPECT_LT(relative_error(dop.low_rank, rpca.low_rank), 1e-2);
}

// Over-parameterised (r' = n), the l1 factorisation fits the corruption: it fails.
TEST(LowRank, L1FactorisationFailsWhenOverParameterised) {
  const Problem p = small_problem();
  L1Options o;
  o.rank = 0;  // r' = n
  EXPECT_GT(relative_error(solve_l1(p.observed, o).low_rank, p.low_rank), 0.3);
  o.rank = 2;  // with the true rank it works much better (measured 6.8e-2 after 1,000 steps)
  EXPECT_LT(relative_error(solve_l1(p.observed, o).low_rank, p.low_rank), 0.2);
}

TEST(LowRank, ToleranceStopsEarlyAndObserverSeesProgress) {
  const Problem p = small_problem();
  DopOptions o;
  o.max_iterations = 50000;
  o.tolerance = 1e-6;
  int64_t calls = 0;
  const Solution s = solve_dop(p.observed, o, [&](int64_t, const at::Tensor& x, const at::Tensor&) {
    ++calls;
    EXPECT_EQ(x.sizes(), p.observed.sizes());
  });
  EXPECT_LT(s.iterations, 50000);  // measured: stops at 33,700
  EXPECT_EQ(calls, s.iterations / 100);
}

// Beyond the paper: X = U Vᵀ for rectangular matrices (e.g. video frames as columns).
TEST(LowRank, AsymmetricModelRecoversRectangularMatrices) {
  ProblemOptions po;
  po.n = 40;
  po.columns = 60;
  po.rank = 2;
  po.corruption = 0.05;
  const Problem p = make_problem(po);
  EXPECT_EQ(p.observed.sizes(), (std::vector<int64_t>{40, 60}));
  const Solution rpca = solve_rpca(p.observed);
  ASSERT_LT(relative_error(rpca.low_rank, p.low_rank), 1e-6);
  const Solution dop = solve_dop(p.observed, {});
  EXPECT_LT(relative_error(dop.low_rank, p.low_rank), 1e-2);
  EXPECT_LT(relative_error(dop.low_rank, rpca.low_rank), 1e-2);
}

// On a symmetric Y the asymmetric model reaches the same answer as U Uᵀ.
TEST(LowRank, AsymmetricModelOnASymmetricMatrix) {
  const Problem p = small_problem();
  DopOptions o;
  o.asymmetric = true;
  EXPECT_LT(relative_error(solve_dop(p.observed, o).low_rank, p.low_rank), 1e-2);
}

TEST(LowRank, DivergenceIsAClearError) {
  const Problem p = small_problem();
  DopOptions o;
  o.alpha = 100 * std::sqrt(30.0);  // α·τ far too large: g, h blow up
  o.max_iterations = 1000;
  EXPECT_THROW(solve_dop(p.observed, o), RuntimeError);
}

TEST(LowRank, RejectsBadInput) {
  EXPECT_THROW(solve_dop(at::zeros({0, 4}, at::kDouble), {}), UsageError);
  EXPECT_THROW(solve_l1(at::zeros({3, 4}, at::kDouble), {}), UsageError);
  DopOptions o;
  o.init_scale = 0;
  EXPECT_THROW(solve_dop(at::eye(3, at::kDouble), o), UsageError);
  EXPECT_THROW(solve_rpca(at::zeros({0, 0}, at::kDouble)), UsageError);
}

}  // namespace
}  // namespace dop::lowrank
