#pragma once

#include <ATen/core/Tensor.h>

namespace dop {

/// Peak signal-to-noise ratio in dB of two images with values in [0, 1]:
/// 10·log10(1 / MSE) over all elements (docs/algorithm.md §5). +inf when equal.
double psnr(const at::Tensor& a, const at::Tensor& b);

/// Root-mean-square difference of two tensors of one shape, sqrt(mean((a − b)²)): the
/// change the automatic stop measures between windows.
double rms_difference(const at::Tensor& a, const at::Tensor& b);

/// Structural similarity of two C×H×W (or H×W) images in [0, 1]: Gaussian window
/// 11×11, σ = 1.5, K1 = 0.01, K2 = 0.03, computed per channel over the positions where
/// the window fits, then averaged. Images smaller than 11×11 use a window clipped to
/// the image.
double ssim(const at::Tensor& a, const at::Tensor& b);

}  // namespace dop
