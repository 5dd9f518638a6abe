#pragma once

#include <ATen/core/Tensor.h>

namespace dop {

/// Building blocks of SkipNet that LibTorch has as several operations, each one pass over
/// memory, done here in fewer (docs/results/speed: the per-iteration profile). They are
/// differentiable and give what the composed LibTorch operations give (to float rounding).

/// Reflection padding by one pixel on each side of an N×C×H×W tensor (H, W ≥ 2):
/// torch's F::pad(x, {1, 1, 1, 1}, reflect), done with strided copies forward and
/// backward instead of the per-element index arithmetic of reflection_pad2d.
at::Tensor reflect_pad1(const at::Tensor& x);

/// Training-mode BatchNorm2d (batch statistics, biased variance for normalising) followed
/// by LeakyReLU with `slope`: leaky_relu(batch_norm(x, weight, bias, training = true)).
/// running_mean and running_var (may be undefined) are updated in place as BatchNorm2d
/// does (momentum, unbiased variance). On the CPU for float tensors it is one pass over
/// memory forward and two backward, a channel at a time (each channel stays in cache);
/// elsewhere it calls LibTorch's batch_norm and leaky_relu.
at::Tensor batch_norm_leaky_relu(const at::Tensor& x, const at::Tensor& weight,
                                 const at::Tensor& bias, const at::Tensor& running_mean,
                                 const at::Tensor& running_var, double momentum, double eps,
                                 double slope);

}  // namespace dop
