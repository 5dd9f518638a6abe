#include "dop/skip_net.hpp"

#include <string>

#include <torch/nn/functional/upsampling.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include "dop/fused_ops.hpp"
#include "require.hpp"

namespace dop {
namespace {

constexpr double kLeakySlope = 0.2;

// 3×3 convolution with bias that pads by reflection so the size is kept (stride 1): the
// parameters are a Conv2d's (drawn and named the same); the padding is reflect_pad1, whose
// strided copies took half the time of reflection_pad2d forward and backward
// (docs/results/speed).
class ReflectConvImpl : public torch::nn::Module {
 public:
  ReflectConvImpl(int64_t in, int64_t out, int64_t stride) : stride_(stride) {
    torch::nn::Conv2d init(torch::nn::Conv2dOptions(in, out, 3).stride(stride).bias(true));
    weight_ = register_parameter("weight", init->weight);
    bias_ = register_parameter("bias", init->bias);
  }

  torch::Tensor forward(const torch::Tensor& x) {
    return at::conv2d(reflect_pad1(x), weight_, bias_, {stride_, stride_});
  }

 private:
  int64_t stride_;
  torch::Tensor weight_;
  torch::Tensor bias_;
};
TORCH_MODULE(ReflectConv);

ReflectConv conv(int64_t in, int64_t out, int64_t stride = 1) {
  return ReflectConv(in, out, stride);
}

// A 1×1 convolution computed as one matrix product per image: oneDNN's 1×1 kernels run
// far below the machine's speed on NCHW tensors (docs/results/speed: the 64→64 1×1
// convolution at 256×256 took 57 ms forward and backward, the product 26 ms). The
// parameters are a Conv2d's, drawn and named the same, so seeds and checkpoints are
// unchanged.
class PointwiseConvImpl : public torch::nn::Module {
 public:
  PointwiseConvImpl(int64_t in, int64_t out) {
    torch::nn::Conv2d init(torch::nn::Conv2dOptions(in, out, 1).bias(true));
    weight_ = register_parameter("weight", init->weight);
    bias_ = register_parameter("bias", init->bias);
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const int64_t out = weight_.size(0);
    const at::Tensor w = weight_.view({out, weight_.size(1)});
    // A view, not a select, for one image: select's backward allocates and zeroes a copy.
    const at::Tensor y = x.size(0) == 1
                             ? at::addmm(bias_.unsqueeze(1), w, x.reshape({x.size(1), -1}))
                             : at::matmul(w, x.flatten(2)) + bias_.view({1, out, 1});
    return y.view({x.size(0), out, x.size(2), x.size(3)});
  }

 private:
  torch::Tensor weight_;
  torch::Tensor bias_;
};
TORCH_MODULE(PointwiseConv);

torch::nn::BatchNorm2d bn(int64_t channels) { return torch::nn::BatchNorm2d(channels); }

// A LeakyReLU always follows a BatchNorm2d here; run_block computes the pair in one
// operation. In place where it runs alone: the BatchNorm does not need its own output.
torch::nn::LeakyReLU act() {
  return torch::nn::LeakyReLU(
      torch::nn::LeakyReLUOptions().negative_slope(kLeakySlope).inplace(true));
}

// Runs a block's modules in order, each BatchNorm2d + LeakyReLU pair as one
// batch_norm_leaky_relu (the modules keep their parameters, buffers and names).
torch::Tensor run_block(torch::nn::Sequential& block, torch::Tensor x) {
  const size_t n = block->size();
  for (size_t i = 0; i < n; ++i) {
    auto* bn = block->ptr(i)->as<torch::nn::BatchNorm2d>();
    auto* relu = i + 1 < n ? block->ptr(i + 1)->as<torch::nn::LeakyReLU>() : nullptr;
    if (bn != nullptr && relu != nullptr && bn->is_training() && bn->options.affine() &&
        bn->options.track_running_stats() && bn->options.momentum().has_value()) {
      bn->num_batches_tracked.add_(1);
      x = batch_norm_leaky_relu(x, bn->weight, bn->bias, bn->running_mean, bn->running_var,
                                *bn->options.momentum(), bn->options.eps(),
                                relu->options.negative_slope());
      ++i;
    } else {
      x = (block->begin() + static_cast<std::ptrdiff_t>(i))->forward(x);
    }
  }
  return x;
}

}  // namespace

void SkipNetOptions::validate() const {
  using detail::require;
  require(input_channels >= 1, "network input_channels", input_channels, ">= 1");
  require(output_channels >= 1, "network output_channels", output_channels, ">= 1");
  require(width >= 1, "network width", width, ">= 1");
  require(scales >= 1 && scales <= 10, "network scales", scales, "1..10");
  require(skip_channels >= 0, "network skip_channels", skip_channels, ">= 0");
}

SkipNetImpl::SkipNetImpl(const SkipNetOptions& options) : options_(options) {
  options_.validate();
  const int64_t w = options_.width;
  const int64_t s = options_.skip_channels;
  for (int64_t i = 0; i < options_.scales; ++i) {
    const int64_t in = i == 0 ? options_.input_channels : w;
    const std::string level = std::to_string(i);
    if (s > 0) {
      skip_.push_back(register_module("skip" + level,
                                      torch::nn::Sequential(PointwiseConv(in, s), bn(s), act())));
    }
    down_.push_back(register_module(
        "down" + level,
        torch::nn::Sequential(conv(in, w, 2), bn(w), act(), conv(w, w), bn(w), act())));
    join_.push_back(register_module("join" + level,
                                    torch::nn::Sequential(bn(s + w), conv(s + w, w), bn(w), act(),
                                                          PointwiseConv(w, w), bn(w), act())));
  }
  head_ =
      register_module("head", torch::nn::Sequential(PointwiseConv(w, options_.output_channels)));
}

torch::Tensor SkipNetImpl::forward(const torch::Tensor& z) {
  TORCH_CHECK(z.dim() == 4 && z.size(1) == options_.input_channels, "SkipNet expects N x ",
              options_.input_channels, " x H x W input, got ", z.sizes());
  const int64_t m = options_.size_multiple();
  TORCH_CHECK(z.size(2) % m == 0 && z.size(3) % m == 0 && z.size(2) >= 2 * m && z.size(3) >= 2 * m,
              "SkipNet input sides must be multiples of ", m, " and at least ", 2 * m, ", got ",
              z.sizes());

  namespace F = torch::nn::functional;
  auto up = F::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0});
  if (options_.upsampling == Upsampling::kBilinear) {
    up.mode(torch::kBilinear).align_corners(false);
  } else {
    up.mode(torch::kNearest);
  }

  // Encoder: remember each level's skip branch, then go one level down.
  const auto levels = static_cast<size_t>(options_.scales);
  std::vector<torch::Tensor> skips(levels);
  torch::Tensor x = z;
  for (size_t i = 0; i < levels; ++i) {
    if (!skip_.empty()) skips[i] = run_block(skip_[i], x);
    x = run_block(down_[i], x);
  }
  // Decoder: from the deepest level up, upsample and join with that level's skip.
  for (size_t i = levels; i-- > 0;) {
    x = F::interpolate(x, up);
    if (!skip_.empty()) x = torch::cat({skips[i], x}, 1);
    x = run_block(join_[i], x);
  }
  return torch::sigmoid(head_->forward(x));
}

int64_t SkipNetImpl::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

}  // namespace dop
