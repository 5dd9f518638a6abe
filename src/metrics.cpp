#include "dop/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <ATen/ATen.h>

namespace dop {
namespace {

constexpr int64_t kWindow = 11;
constexpr double kSigma = 1.5;
constexpr double kC1 = 0.01 * 0.01;  // (K1 · data range)², data range 1
constexpr double kC2 = 0.03 * 0.03;

at::Tensor as_nchw(const at::Tensor& x) {
  at::Tensor t = x.detach().to(at::kDouble);
  if (t.dim() == 2) t = t.unsqueeze(0);
  TORCH_CHECK(t.dim() == 3, "expected an H×W or C×H×W image, got ", x.sizes());
  return t.unsqueeze(1);  // C × 1 × H × W: channels as a batch, one filter for all
}

at::Tensor gaussian_window(int64_t size, const at::TensorOptions& options) {
  const at::Tensor r = at::arange(size, options) - static_cast<double>(size - 1) / 2.0;
  at::Tensor g = at::exp(-(r * r) / (2.0 * kSigma * kSigma));
  g = g / g.sum();
  return at::outer(g, g).view({1, 1, size, size});
}

}  // namespace

double rms_difference(const at::Tensor& a, const at::Tensor& b) {
  TORCH_CHECK(a.sizes() == b.sizes(), "rms_difference: shapes differ, ", a.sizes(), " vs ",
              b.sizes());
  return (a.detach() - b.detach()).square().mean().sqrt().item<double>();
}

double psnr(const at::Tensor& a, const at::Tensor& b) {
  TORCH_CHECK(a.sizes() == b.sizes(), "psnr: shapes differ, ", a.sizes(), " vs ", b.sizes());
  const double mse = (a.detach().to(at::kDouble) - b.detach().to(at::kDouble).to(a.device()))
                         .pow(2)
                         .mean()
                         .item<double>();
  if (mse <= 0.0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(1.0 / mse);
}

double ssim(const at::Tensor& a, const at::Tensor& b) {
  TORCH_CHECK(a.sizes() == b.sizes(), "ssim: shapes differ, ", a.sizes(), " vs ", b.sizes());
  const at::Tensor x = as_nchw(a);
  const at::Tensor y = as_nchw(b).to(x.device());
  const int64_t size = std::min({kWindow, x.size(2), x.size(3)});
  const at::Tensor w = gaussian_window(size, x.options());
  auto filter = [&](const at::Tensor& t) { return at::conv2d(t, w); };
  const at::Tensor mx = filter(x);
  const at::Tensor my = filter(y);
  const at::Tensor sxx = filter(x * x) - mx * mx;
  const at::Tensor syy = filter(y * y) - my * my;
  const at::Tensor sxy = filter(x * y) - mx * my;
  const at::Tensor map =
      ((2 * mx * my + kC1) * (2 * sxy + kC2)) / ((mx * mx + my * my + kC1) * (sxx + syy + kC2));
  return map.mean().item<double>();
}

}  // namespace dop
