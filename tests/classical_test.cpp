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

}  // namespace
}  // namespace dop
