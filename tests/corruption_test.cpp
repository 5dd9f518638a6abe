#include "dop/corruption.hpp"

#include <gtest/gtest.h>
#include <torch/types.h>

#include "dop/error.hpp"
#include "test_util.hpp"

namespace dop {
namespace {

const at::Tensor kClean = test::smooth_image(3, 128, 128);  // values in [0.1, 0.9]

double fraction(const at::Tensor& mask) { return mask.to(at::kDouble).mean().item<double>(); }

TEST(Corruption, SaltAndPepperStatistics) {
  for (double p : {0.1, 0.3, 0.5, 0.7}) {
    const at::Tensor y = salt_and_pepper(kClean, p, 7);
    const at::Tensor hit = y != kClean;
    // 49,152 samples: the standard error of the fraction is below 0.0023.
    EXPECT_NEAR(fraction(hit), p, 0.01) << p;
    EXPECT_NEAR(fraction(y == 0) / fraction(hit), 0.5, 0.02) << p;
    EXPECT_TRUE(torch::equal((y == 0) | (y == 1), hit));
  }
}

// ALGORITHM.md §3: at 50%, about 87.5% of RGB pixels have at least one channel hit.
TEST(Corruption, HalfOfTheSamplesHitMostPixels) {
  const at::Tensor hit = salt_and_pepper(kClean, 0.5, 3) != kClean;
  EXPECT_NEAR(fraction(hit.any(0)), 0.875, 0.01);
}

TEST(Corruption, RandomImpulseStatistics) {
  const at::Tensor y = random_impulse(kClean, 0.3, 11);
  const at::Tensor hit = y != kClean;
  EXPECT_NEAR(fraction(hit), 0.3, 0.01);
  const at::Tensor values = y.masked_select(hit);
  EXPECT_NEAR(values.mean().item<double>(), 0.5, 0.01);         // uniform in [0, 1]:
  EXPECT_NEAR(values.var().item<double>(), 1.0 / 12.0, 0.005);  // mean 1/2, variance 1/12
  EXPECT_GE(values.min().item<float>(), 0.0f);
  EXPECT_LE(values.max().item<float>(), 1.0f);
}

TEST(Corruption, SeededAndReproducible) {
  EXPECT_TRUE(torch::equal(salt_and_pepper(kClean, 0.3, 5), salt_and_pepper(kClean, 0.3, 5)));
  EXPECT_FALSE(torch::equal(salt_and_pepper(kClean, 0.3, 5), salt_and_pepper(kClean, 0.3, 6)));
  EXPECT_TRUE(torch::equal(random_impulse(kClean, 0.3, 5), random_impulse(kClean, 0.3, 5)));
}

TEST(Corruption, Extremes) {
  EXPECT_TRUE(torch::equal(salt_and_pepper(kClean, 0.0, 1), kClean));
  const at::Tensor all = salt_and_pepper(kClean, 1.0, 1);
  EXPECT_TRUE(((all == 0) | (all == 1)).all().item<bool>());
  EXPECT_THROW(salt_and_pepper(kClean, 1.5, 1), UsageError);
  EXPECT_THROW(random_impulse(kClean, -0.1, 1), UsageError);
}

}  // namespace
}  // namespace dop
