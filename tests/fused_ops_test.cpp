#include "dop/fused_ops.hpp"

#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/types.h>

namespace dop {
namespace {

constexpr double kSlope = 0.2;

// Sizes below and above the 32×32 where it switches to its own copies, and sides of 2.
TEST(ReflectPad1, EqualsTorchReflectionPaddingForwardAndBackward) {
  for (auto [h, w] :
       {std::pair<int64_t, int64_t>{2, 2}, {3, 5}, {40, 33}, {64, 17}, {2, 600}, {600, 2}}) {
    const at::Tensor x = at::rand({2, 3, h, w}).requires_grad_();
    const at::Tensor ours = reflect_pad1(x);
    const at::Tensor theirs = at::reflection_pad2d(x, {1, 1, 1, 1});
    ASSERT_TRUE(torch::equal(ours, theirs)) << h << "x" << w;
    const at::Tensor g = at::randn_like(ours);
    const at::Tensor gours = torch::autograd::grad({ours}, {x}, {g})[0];
    const at::Tensor gtheirs = torch::autograd::grad({theirs}, {x}, {g})[0];
    EXPECT_TRUE(torch::allclose(gours, gtheirs, 1e-6, 1e-6))
        << h << "x" << w << ": largest difference " << (gours - gtheirs).abs().max().item<double>();
  }
}

TEST(ReflectPad1, RejectsSidesBelowTwo) {
  EXPECT_THROW(reflect_pad1(at::rand({1, 1, 1, 5})), c10::Error);
  EXPECT_THROW(reflect_pad1(at::rand({1, 5, 5})), c10::Error);
}

struct BnCase {
  std::vector<int64_t> shape;
  double momentum;
};

// What batch_norm_leaky_relu replaces, with its own copies of the running statistics.
struct Composed {
  at::Tensor out, running_mean, running_var;
};
Composed composed(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                  double momentum) {
  const int64_t c = x.size(1);
  Composed r{at::Tensor(), at::zeros({c}), at::ones({c})};
  r.out = at::leaky_relu(
      at::batch_norm(x, weight, bias, r.running_mean, r.running_var, true, momentum, 1e-5, false),
      kSlope);
  return r;
}

// Forward, the three gradients and the running statistics agree with LibTorch's batch_norm
// followed by leaky_relu, including channels longer than one summation block (70×70 > 4096)
// and sizes that are not a multiple of the vector lanes.
TEST(BatchNormLeakyReLU, EqualsBatchNormThenLeakyReLU) {
  for (const BnCase& c : {BnCase{{1, 5, 8, 8}, 0.1}, BnCase{{2, 3, 7, 9}, 0.3},
                          BnCase{{1, 2, 70, 70}, 0.1}, BnCase{{3, 4, 1, 1}, 0.1}}) {
    const at::Tensor x = (at::randn(c.shape) * 0.3 + 0.5).requires_grad_();
    const at::Tensor weight = (at::rand({c.shape[1]}) + 0.5).requires_grad_();
    const at::Tensor bias = (at::randn({c.shape[1]}) * 0.1).requires_grad_();
    at::Tensor running_mean = at::zeros({c.shape[1]});
    at::Tensor running_var = at::ones({c.shape[1]});
    const at::Tensor ours =
        batch_norm_leaky_relu(x, weight, bias, running_mean, running_var, c.momentum, 1e-5, kSlope);
    const Composed ref = composed(x, weight, bias, c.momentum);
    const std::string what = "shape " + c10::str(x.sizes());
    EXPECT_TRUE(torch::allclose(ours, ref.out, 1e-4, 1e-5))
        << what << ": largest difference " << (ours - ref.out).abs().max().item<double>();
    EXPECT_TRUE(torch::allclose(running_mean, ref.running_mean, 1e-5, 1e-6)) << what;
    EXPECT_TRUE(torch::allclose(running_var, ref.running_var, 1e-4, 1e-6)) << what;

    const at::Tensor g = at::randn_like(ours);
    const auto gours = torch::autograd::grad({ours}, {x, weight, bias}, {g});
    const auto gref = torch::autograd::grad({ref.out}, {x, weight, bias}, {g});
    const char* names[] = {"x", "weight", "bias"};
    for (size_t i = 0; i < 3; ++i) {
      const double scale = gref[i].abs().max().item<double>() + 1e-6;
      const double diff = (gours[i] - gref[i]).abs().max().item<double>();
      EXPECT_LT(diff, 1e-4 * scale) << what << ": gradient of " << names[i];
    }
  }
}

TEST(BatchNormLeakyReLU, GradientsOfTheAffineParametersWithoutOneForTheInput) {
  const at::Tensor x = at::randn({1, 3, 10, 10});
  const at::Tensor weight = at::ones({3}).requires_grad_();
  const at::Tensor bias = at::zeros({3}).requires_grad_();
  const at::Tensor out =
      batch_norm_leaky_relu(x, weight, bias, at::Tensor(), at::Tensor(), 0.1, 1e-5, kSlope);
  const Composed ref = composed(x, weight, bias, 0.1);
  const auto gours = torch::autograd::grad({out.sum()}, {weight, bias});
  const auto gref = torch::autograd::grad({ref.out.sum()}, {weight, bias});
  EXPECT_TRUE(torch::allclose(gours[0], gref[0], 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(gours[1], gref[1], 1e-4, 1e-4));
}

// Other dtypes go through LibTorch's own operations.
TEST(BatchNormLeakyReLU, DoubleTensorsTakeLibTorchsPath) {
  const at::Tensor x = at::randn({1, 2, 5, 5}, at::kDouble);
  const at::Tensor weight = at::ones({2}, at::kDouble);
  const at::Tensor bias = at::zeros({2}, at::kDouble);
  const at::Tensor ours =
      batch_norm_leaky_relu(x, weight, bias, at::Tensor(), at::Tensor(), 0.1, 1e-5, kSlope);
  const at::Tensor ref = at::leaky_relu(
      at::batch_norm(x, weight, bias, at::Tensor(), at::Tensor(), true, 0.1, 1e-5, false), kSlope);
  EXPECT_TRUE(torch::allclose(ours, ref, 1e-12, 1e-12));
}

}  // namespace
}  // namespace dop
