#include "dop/padding.hpp"

#include <gtest/gtest.h>
#include <torch/types.h>

#include "test_util.hpp"

namespace dop {
namespace {

TEST(Padding, PaddedSide) {
  EXPECT_EQ(padded_side(37, 32, 64), 64);
  EXPECT_EQ(padded_side(64, 32, 64), 64);
  EXPECT_EQ(padded_side(65, 32, 64), 96);
  EXPECT_EQ(padded_side(1, 32, 64), 64);
  EXPECT_EQ(padded_side(200, 32, 0), 224);
}

TEST(Padding, RoundTripAtOddSizes) {
  for (auto [h, w] :
       {std::pair<int64_t, int64_t>{37, 45}, {1, 1}, {1, 100}, {63, 2}, {64, 64}, {97, 33}}) {
    const at::Tensor x = test::smooth_image(3, h, w) + at::rand({3, h, w});
    const at::Tensor p = pad_reflect(x, 32, 64);
    EXPECT_EQ(p.size(1), padded_side(h, 32, 64));
    EXPECT_EQ(p.size(2), padded_side(w, 32, 64));
    EXPECT_TRUE(torch::equal(crop(p, h, w), x)) << h << "x" << w;
  }
}

// Where torch's reflection padding applies (pad < side), the result is the same.
TEST(Padding, EqualsTorchReflectionPadding) {
  const at::Tensor x = at::rand({1, 2, 40, 50});
  const at::Tensor ours = pad_reflect(x, 32, 0);
  const at::Tensor theirs = at::reflection_pad2d(x, {0, 14, 0, 24});
  EXPECT_TRUE(torch::equal(ours, theirs));
}

TEST(Padding, MirrorsRepeatedlyWhenThePadIsLargerThanTheImage) {
  const at::Tensor x = at::arange(3, at::kFloat).view({1, 1, 3});  // 0 1 2
  const at::Tensor p = pad_reflect(x, 8, 0);                       // 0 1 2 1 0 1 2 1
  ASSERT_EQ(p.sizes(), (std::vector<int64_t>{1, 8, 8}));           // the single row is repeated
  EXPECT_TRUE(torch::equal(p[0][7], at::tensor({0.f, 1.f, 2.f, 1.f, 0.f, 1.f, 2.f, 1.f})));
}

}  // namespace
}  // namespace dop
