#include "dop/sparse_noise.hpp"

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "dop/error.hpp"

namespace dop {
namespace {

TEST(SparseNoise, StartsAtTheGivenScale) {
  torch::manual_seed(1);
  SparseNoise s(std::vector<int64_t>{1, 3, 64, 64}, 1e-5);
  EXPECT_NEAR(s->g().std().item<double>(), 1e-5, 2e-7);
  EXPECT_NEAR(s->h().std().item<double>(), 1e-5, 2e-7);
  EXPECT_NEAR(s->g().mean().item<double>(), 0.0, 2e-7);
  EXPECT_EQ(s->parameters().size(), 2u);
  EXPECT_THROW(SparseNoise(std::vector<int64_t>{2}, -1.0), UsageError);
}

TEST(SparseNoise, ForwardIsDifferenceOfSquares) {
  SparseNoise s(std::vector<int64_t>{2, 5}, 1.0);
  EXPECT_TRUE(torch::allclose(s->forward(), s->g() * s->g() - s->h() * s->h()));
}

// ∂/∂g Σ w⊙(g⊙g − h⊙h) = 2 w⊙g and ∂/∂h = −2 w⊙h: the gradients the discrepant
// learning rates act on.
TEST(SparseNoise, GradientsAreTwiceWeightTimesFactor) {
  torch::manual_seed(2);
  SparseNoise s(std::vector<int64_t>{3, 4, 4}, 0.5);
  const auto w = torch::randn({3, 4, 4});
  (s->forward() * w).sum().backward();
  EXPECT_TRUE(torch::allclose(s->g().grad(), 2 * w * s->g(), 1e-6, 1e-7));
  EXPECT_TRUE(torch::allclose(s->h().grad(), -2 * w * s->h(), 1e-6, 1e-7));
}

}  // namespace
}  // namespace dop
