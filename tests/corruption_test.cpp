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

// docs/algorithm.md §5: at 50%, about 87.5% of RGB pixels have at least one channel hit.
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

TEST(Corruption, DeadPixelsHitEveryChannelOfAPixel) {
  const at::Tensor y = corrupt(kClean, CorruptionKind::kDeadPixels, 0.2, 3);
  const at::Tensor hit = (y != kClean).any(0);
  EXPECT_NEAR(fraction(hit), 0.2, 0.01);
  // Every channel of a dead pixel reads 0; every other sample is untouched.
  EXPECT_TRUE(torch::equal((y == 0).all(0), hit));
  EXPECT_TRUE(torch::equal(y.masked_select(~hit.unsqueeze(0).expand_as(y)),
                           kClean.masked_select(~hit.unsqueeze(0).expand_as(y))));
}

TEST(Corruption, ScratchesAreThinGreyLinesCoveringTheAmount) {
  const at::Tensor y = corrupt(kClean, CorruptionKind::kScratches, 0.05, 4);
  const at::Tensor hit = (y != kClean).any(0);
  EXPECT_NEAR(fraction(hit), 0.05, 0.005);
  // Grey: the same value in every channel; bright or dark.
  const at::Tensor values = y.masked_select(hit.unsqueeze(0).expand_as(y)).view({3, -1});
  EXPECT_TRUE(torch::equal(values[0], values[1]));
  EXPECT_TRUE(torch::equal(values[0], values[2]));
  EXPECT_TRUE(((values[0] >= 0.8) | (values[0] <= 0.2)).all().item<bool>());
  // Lines, not dots: most scratch pixels have a scratch pixel among their 8 neighbours.
  const at::Tensor h = hit.to(at::kFloat).view({1, 1, 128, 128});
  const at::Tensor neighbours =
      at::conv2d(h, at::ones({1, 1, 3, 3}), {}, 1, 1).view({128, 128}) - h.view({128, 128});
  EXPECT_GT(fraction((neighbours > 0).masked_select(hit)), 0.95);
  EXPECT_TRUE(torch::equal(y, corrupt(kClean, CorruptionKind::kScratches, 0.05, 4)));
}

TEST(Corruption, KindNamesAndGaussianNoise) {
  for (CorruptionKind k : {CorruptionKind::kSaltAndPepper, CorruptionKind::kRandomImpulse,
                           CorruptionKind::kDeadPixels, CorruptionKind::kScratches}) {
    EXPECT_EQ(parse_corruption_kind(to_string(k)), k);
  }
  EXPECT_THROW(parse_corruption_kind("gaussian"), UsageError);
  const at::Tensor n = add_gaussian_noise(kClean, 0.05, 1) - kClean;
  EXPECT_NEAR(n.std().item<double>(), 0.05, 0.002);  // values in [0.1, 0.9]: no clipping
  EXPECT_THROW(add_gaussian_noise(kClean, -1.0, 1), UsageError);
}

}  // namespace
}  // namespace dop
