#include "dop/metrics.hpp"

#include <cmath>

#include <gtest/gtest.h>
#include <torch/types.h>

namespace dop {
namespace {

TEST(Metrics, PsnrOfAKnownError) {
  const at::Tensor a = at::full({3, 8, 8}, 0.5);
  EXPECT_NEAR(psnr(a, a + 0.1), 20.0, 1e-5);   // MSE 0.01
  EXPECT_NEAR(psnr(a, a - 0.01), 40.0, 1e-4);  // MSE 1e-4
  EXPECT_TRUE(std::isinf(psnr(a, a)));
}

TEST(Metrics, RmsDifference) {
  at::Tensor a = at::zeros({2, 4, 4});
  at::Tensor b = a.clone();
  b[0].fill_(0.3);  // half the elements differ by 0.3
  EXPECT_NEAR(rms_difference(a, b), 0.3 / std::sqrt(2.0), 1e-7);
  EXPECT_EQ(rms_difference(a, a), 0.0);
  EXPECT_THROW(rms_difference(a, at::zeros({2, 4, 5})), c10::Error);
}

TEST(Metrics, SsimOfIdenticalImagesIsOne) {
  const at::Tensor a = at::rand({3, 20, 30});
  EXPECT_NEAR(ssim(a, a), 1.0, 1e-12);
}

// Constant images: σ = 0, so SSIM = (2 μa μb + C1) / (μa² + μb² + C1), C1 = 1e-4.
TEST(Metrics, SsimOfConstantImages) {
  const double ma = 0.2, mb = 0.6, c1 = 1e-4;
  const double expected = (2 * ma * mb + c1) / (ma * ma + mb * mb + c1);
  EXPECT_NEAR(ssim(at::full({1, 16, 16}, ma, at::kDouble), at::full({1, 16, 16}, mb, at::kDouble)),
              expected, 1e-12);
}

// Value from scikit-image 0.19.3 (structural_similarity, gaussian_weights=True, sigma=1.5,
// use_sample_covariance=False, data_range=1) on the same two float64 patterns.
TEST(Metrics, SsimMatchesScikitImage) {
  const at::Tensor yy = at::arange(24, at::kDouble).view({24, 1}).expand({24, 32});
  const at::Tensor xx = at::arange(32, at::kDouble).view({1, 32}).expand({24, 32});
  const at::Tensor a = 0.5 + 0.4 * at::sin(xx / 3.0) * at::cos(yy / 5.0);
  const at::Tensor b = (a + 0.1 * at::sin(xx * yy / 7.0)).clamp(0, 1);
  EXPECT_NEAR(ssim(a, b), 0.7928622132230795, 1e-9);
}

TEST(Metrics, SsimOnImagesSmallerThanTheWindow) {
  const at::Tensor a = at::rand({1, 1, 5});
  EXPECT_NEAR(ssim(a, a), 1.0, 1e-12);
}

}  // namespace
}  // namespace dop
