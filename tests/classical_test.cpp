#include "dop/classical.hpp"

#include <gtest/gtest.h>
#include <torch/types.h>

#include "dop/corruption.hpp"
#include "dop/error.hpp"
#include "dop/metrics.hpp"
#include "test_util.hpp"

namespace dop {
namespace {

TEST(MedianFilter, KnownValuesAndEdges) {
  // One row: the 3-wide median with repeated edges.
  const at::Tensor row = at::tensor({0.9f, 0.1f, 0.5f, 0.3f, 0.7f}).view({1, 1, 5});
  const at::Tensor expected = at::tensor({0.9f, 0.5f, 0.3f, 0.5f, 0.7f}).view({1, 1, 5});
  // A 3×3 window on a single row sees the row three times: the median of the 3 values.
  EXPECT_TRUE(at::allclose(median_filter(row, 3), expected));
  EXPECT_TRUE(at::equal(median_filter(row, 1), row));
}

TEST(MedianFilter, EvenCountIsTheMeanOfTheMiddleTwo) {
  // The switching median sees an even number of good values here: 0.2, 0.4 → 0.3.
  const at::Tensor img = at::tensor({0.2f, 1.0f, 0.4f}).view({1, 1, 3});
  EXPECT_NEAR(switching_median_filter(img)[0][0][1].item<float>(), 0.3f, 1e-6);
}

TEST(MedianFilter, RejectsEvenWindowAndBadShape) {
  EXPECT_THROW(median_filter(at::rand({1, 4, 4}), 4), UsageError);
  EXPECT_THROW(median_filter(at::rand({4, 4}), 3), UsageError);
  EXPECT_THROW(switching_median_filter(at::rand({1, 4, 4}), 0), UsageError);
}

TEST(SwitchingMedian, KeepsEveryValueThatIsNotExtreme) {
  const at::Tensor clean = test::smooth_image(3, 24, 20) * 0.8 + 0.1;  // no 0 or 1
  const at::Tensor noisy = salt_and_pepper(clean, 0.3, 5);
  const at::Tensor out = switching_median_filter(noisy);
  const at::Tensor untouched = (noisy != 0) & (noisy != 1);
  EXPECT_TRUE(at::equal(out.masked_select(untouched), noisy.masked_select(untouched)));
  EXPECT_EQ(((out == 0) | (out == 1)).sum().item<int64_t>(), 0);
}

TEST(SwitchingMedian, BeatsThePlainMedianOnSaltAndPepperButNotOnRandomImpulses) {
  const at::Tensor clean = test::smooth_image(3, 48, 48) * 0.8 + 0.1;
  const at::Tensor sp = salt_and_pepper(clean, 0.5, 1);
  const double noisy_db = psnr(sp, clean);
  const double median_db = psnr(median_filter(sp, 5), clean);
  const double switching_db = psnr(switching_median_filter(sp), clean);
  EXPECT_GT(median_db, noisy_db + 8.0);
  EXPECT_GT(switching_db, median_db + 3.0);
  // Random-valued impulses are (almost) never exactly 0 or 1: nothing is found.
  const at::Tensor rv = random_impulse(clean, 0.3, 1);
  EXPECT_NEAR(psnr(switching_median_filter(rv), clean), psnr(rv, clean), 0.5);
}

TEST(AdaptiveMedian, RemovesSaltAndPepperAndKeepsSmoothDetail) {
  const at::Tensor clean = test::smooth_image(3, 48, 48) * 0.8 + 0.1;
  const at::Tensor noisy = salt_and_pepper(clean, 0.3, 2);
  const at::Tensor out = adaptive_median_filter(noisy, 7);
  EXPECT_EQ(((out == 0) | (out == 1)).sum().item<int64_t>(), 0);
  EXPECT_GT(psnr(out, clean), psnr(median_filter(noisy, 5), clean) + 1.0);
  // On a clean image it changes little: only local extremes are candidates.
  EXPECT_GT(psnr(adaptive_median_filter(clean, 7), clean), 40.0);
  EXPECT_THROW(adaptive_median_filter(clean, 4), UsageError);
  EXPECT_THROW(adaptive_median_filter(clean, 1), UsageError);
}

TEST(IterativeMean, KnownValuesAndIterations) {
  // The middle sample's intact neighbours are 0.2 and 0.4: their mean.
  const at::Tensor row = at::tensor({0.2f, 1.0f, 0.4f}).view({1, 1, 3});
  EXPECT_NEAR(iterative_mean_filter(row)[0][0][1].item<float>(), 0.3f, 1e-6);
  // A run of noise is filled from both ends inwards, over several passes: the two middle
  // samples have no intact neighbour at first.
  const at::Tensor run = at::tensor({0.2f, 0.0f, 1.0f, 1.0f, 0.0f, 0.6f}).view({1, 1, 6});
  const at::Tensor filled = iterative_mean_filter(run);
  EXPECT_EQ(((filled == 0) | (filled == 1)).sum().item<int64_t>(), 0);
  EXPECT_NEAR(filled[0][0][0].item<float>(), 0.2f, 1e-6);
  EXPECT_NEAR(filled[0][0][5].item<float>(), 0.6f, 1e-6);
  // Converged values of a linear ramp between 0.2 and 0.6.
  EXPECT_NEAR(filled[0][0][1].item<float>(), 0.2f + 0.4f / 5, 2e-3);
  EXPECT_NEAR(filled[0][0][4].item<float>(), 0.6f - 0.4f / 5, 2e-3);
  EXPECT_THROW(iterative_mean_filter(run, -1.0), UsageError);
}

TEST(IterativeMean, KeepsIntactSamplesAndBeatsTheSwitchingMedianAtHighDensity) {
  const at::Tensor clean = test::smooth_image(3, 48, 48) * 0.8 + 0.1;
  const at::Tensor noisy = salt_and_pepper(clean, 0.7, 4);
  const at::Tensor out = iterative_mean_filter(noisy);
  const at::Tensor untouched = (noisy != 0) & (noisy != 1);
  EXPECT_TRUE(at::equal(out.masked_select(untouched), noisy.masked_select(untouched)));
  EXPECT_EQ(((out == 0) | (out == 1)).sum().item<int64_t>(), 0);
  EXPECT_GT(psnr(out, clean), psnr(switching_median_filter(noisy), clean));
}

TEST(Acwm, FindsRandomValuedImpulsesTheSwitchingMedianCannotSee) {
  const at::Tensor clean = test::smooth_image(3, 48, 48) * 0.8 + 0.1;
  const at::Tensor noisy = random_impulse(clean, 0.2, 5);
  const at::Tensor out = acwm_filter(noisy, 0.2, 2);
  EXPECT_GT(psnr(out, clean), psnr(noisy, clean) + 8.0);
  EXPECT_GT(psnr(out, clean), psnr(switching_median_filter(noisy), clean) + 8.0);
  // A clean smooth image keeps (nearly) every sample: no centre-weighted median is far.
  EXPECT_GT(psnr(acwm_filter(clean, 0.2, 1), clean), 45.0);
  EXPECT_THROW(acwm_filter(clean, 1.5, 1), UsageError);
  EXPECT_THROW(acwm_filter(clean, 0.2, 0), UsageError);
}

}  // namespace
}  // namespace dop
