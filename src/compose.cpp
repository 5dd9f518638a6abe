// Composition of the result (docs/algorithm.md, "Composition of the result"):
//   x̂ = (1 − w)·ŷ + w·m
// y the observation, f the network output, S = g⊙g − h⊙h DOP's sparse estimate.
//   m   the fill: f plus a leave-one-out, edge-aware (joint bilateral, guided by f) average
//       of the residuals y − f of the neighbours, each weighted by 1 − w.
//   w   the posterior probability that a sample is damaged, from a two-class mixture
//       fitted to the image by EM: an intact sample deviates from m by a Laplace law whose
//       scale is the local mean |y − m| of the intact neighbours; a damaged one takes a
//       value from a distribution estimated as the histogram of the damaged samples'
//       values (spikes where salt-and-pepper, dead pixels or stuck values put them, flat
//       for random-valued impulses); the prior is the damaged fraction. S starts it.
//   ŷ   y, or f + k·(y − f) where dense noise of level σ_n is found: k = max(V − σ_n², 0)/V,
//       V the local mean of (y − f)² over intact samples (a local Wiener filter).
#include "dop/compose.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <ATen/ATen.h>

#include "dop/error.hpp"

namespace dop {
namespace {

// Fill: window radius, spatial σ and range σ (on the channel mean of f) of the weights.
constexpr int64_t kFillRadius = 2;
constexpr double kFillSpatialSigma = 1.0;
constexpr double kFillRangeSigma = 0.05;
// Scale of the intact residuals: Gaussian window σ, and the least scale allowed.
constexpr double kScaleSigma = 1.0;
constexpr double kMinScale = 1e-3;
// Distribution of the damaged values: bins, Gaussian smoothing (in bins, half the mass),
// and the share of a uniform floor.
constexpr int64_t kValueBins = 256;
constexpr double kValueBlurBins = 2.0;
constexpr double kValueFloor = 0.01;
constexpr int kEmIterations = 8;
// Dense noise: window σ of the local variances, and the quantile of them taken as σ_n².
constexpr double kNoiseSigma = 2.0;
constexpr double kNoiseQuantile = 0.1;
constexpr double kTiny = 1e-6;

// Edge-replicating pad of the last two dimensions by r, for any size (even 1×1).
at::Tensor pad_edge(const at::Tensor& t, int64_t r) {
  const int64_t h = t.size(-2), w = t.size(-1);
  const auto opts = at::TensorOptions().dtype(at::kLong).device(t.device());
  const at::Tensor rows = at::arange(-r, h + r, opts).clamp(0, h - 1);
  const at::Tensor cols = at::arange(-r, w + r, opts).clamp(0, w - 1);
  return t.index_select(-2, rows).index_select(-1, cols);
}

// The window of the padded tensor at offset (dy, dx): the neighbour at that offset of
// every position of the original H×W.
at::Tensor at_offset(const at::Tensor& padded, int64_t r, int64_t dy, int64_t dx, int64_t h,
                     int64_t w) {
  return padded.narrow(-2, r + dy, h).narrow(-1, r + dx, w);
}

std::vector<double> gaussian_taps(double sigma, int64_t& radius) {
  radius = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(3.0 * sigma)));
  std::vector<double> taps;
  double sum = 0.0;
  for (int64_t i = -radius; i <= radius; ++i) {
    taps.push_back(std::exp(-static_cast<double>(i * i) / (2.0 * sigma * sigma)));
    sum += taps.back();
  }
  for (double& t : taps) t /= sum;
  return taps;
}

// Separable Gaussian smoothing with replicated edges. With leave_one_out, the centre
// tap's share is taken out, so that a position's own value does not count.
at::Tensor smooth(const at::Tensor& t, double sigma, bool leave_one_out = false) {
  int64_t r = 0;
  const std::vector<double> taps = gaussian_taps(sigma, r);
  const int64_t h = t.size(-2), w = t.size(-1);
  const at::Tensor padded = pad_edge(t, r);
  at::Tensor rows = at::zeros_like(padded.narrow(-1, r, w));
  for (int64_t i = -r; i <= r; ++i) rows.add_(padded.narrow(-1, r + i, w), taps[r + i]);
  at::Tensor out = at::zeros_like(t);
  for (int64_t i = -r; i <= r; ++i) out.add_(rows.narrow(-2, r + i, h), taps[r + i]);
  if (leave_one_out) out.sub_(t, taps[r] * taps[r]);
  return out;
}

// Weighted local mean of `value` with weights `weight` (leave-one-out).
at::Tensor local_mean(const at::Tensor& value, const at::Tensor& weight, double sigma) {
  return smooth(value * weight, sigma, true) / smooth(weight, sigma, true).clamp_min(kTiny);
}

// m = f + Σ_j k_ij (1 − w_j)(y_j − f_j) / Σ_j k_ij (1 − w_j) over the 5×5 neighbours j ≠ i,
// k_ij = exp(−|i − j|²/2σ_s²) · exp(−(f̄_j − f̄_i)²/2σ_r²), f̄ the channel mean of f.
// Where no intact neighbour is near, m stays f.
at::Tensor fill(const at::Tensor& y, const at::Tensor& f, const at::Tensor& weight) {
  const int64_t r = kFillRadius, h = y.size(1), w = y.size(2);
  const at::Tensor intact = 1.0 - weight;
  const at::Tensor residual = pad_edge(intact * (y - f), r);
  const at::Tensor support = pad_edge(intact, r);
  const at::Tensor guide = f.mean(0, /*keepdim=*/true);
  const at::Tensor guide_padded = pad_edge(guide, r);
  at::Tensor num = at::zeros_like(y);
  at::Tensor den = at::zeros_like(y);
  for (int64_t dy = -r; dy <= r; ++dy) {
    for (int64_t dx = -r; dx <= r; ++dx) {
      if (dy == 0 && dx == 0) continue;
      const double spatial = std::exp(-static_cast<double>(dy * dy + dx * dx) /
                                      (2.0 * kFillSpatialSigma * kFillSpatialSigma));
      const at::Tensor range = at::exp((at_offset(guide_padded, r, dy, dx, h, w) - guide).square() *
                                       (-1.0 / (2.0 * kFillRangeSigma * kFillRangeSigma))) *
                               spatial;
      num.addcmul_(range, at_offset(residual, r, dy, dx, h, w));
      den.addcmul_(range, at_offset(support, r, dy, dx, h, w));
    }
  }
  return f + num / (den + kTiny);
}

// Density, on [0, 1], of the values of the samples weighted by `weight`, read at each
// sample's value: a histogram of kValueBins bins, half of it smoothed, plus a floor.
at::Tensor damaged_value_density(const at::Tensor& y, const at::Tensor& weight) {
  const at::Tensor index = (y.clamp(0.0, 1.0) * (kValueBins - 1)).round().to(at::kLong).flatten();
  at::Tensor hist = at::zeros({kValueBins}, y.options());
  hist.index_add_(0, index, weight.flatten());
  hist = hist * (static_cast<double>(kValueBins) / std::max(hist.sum().item<double>(), kTiny));
  const at::Tensor blurred =
      smooth(hist.view({1, 1, kValueBins}), kValueBlurBins).view({kValueBins});
  const at::Tensor density = (0.5 * hist + 0.5 * blurred) * (1.0 - kValueFloor) + kValueFloor;
  return density.index_select(0, index).view_as(y);
}

// The σ_n² of the dense noise: a low quantile of the local mean square of the residuals
// y − m of the intact samples (flat parts of the image, where m is exact up to the noise).
double dense_noise_variance(const at::Tensor& residual, const at::Tensor& intact) {
  const at::Tensor local = (smooth(residual.square() * intact, kNoiseSigma) /
                            smooth(intact, kNoiseSigma).clamp_min(kTiny))
                               .flatten();
  const int64_t k = std::max<int64_t>(1, static_cast<int64_t>(kNoiseQuantile * local.numel()));
  return std::get<0>(local.kthvalue(k)).item<double>();
}

}  // namespace

std::string to_string(ComposeMode mode) { return mode == ComposeMode::kOff ? "off" : "auto"; }

ComposeMode parse_compose_mode(const std::string& name) {
  if (name == "off") return ComposeMode::kOff;
  if (name == "auto") return ComposeMode::kAuto;
  throw UsageError("unknown composition '" + name + "': use auto or off");
}

Composition compose(const at::Tensor& observed, const at::Tensor& network,
                    const at::Tensor& sparse) {
  if (observed.dim() != 3 || observed.sizes() != network.sizes() ||
      observed.sizes() != sparse.sizes()) {
    throw UsageError("compose() takes three C×H×W tensors of one shape");
  }
  const at::Tensor y = observed.to(at::kFloat);
  const at::Tensor f = network.to(y.device(), at::kFloat);
  // DOP's own split of y − f starts it: S carries the part of the deviation it took as
  // damage.
  at::Tensor weight =
      (sparse.to(y.device(), at::kFloat).abs() / ((y - f).abs() + kTiny)).clamp(0.0, 1.0);
  for (int i = 0; i < kEmIterations; ++i) {
    const at::Tensor m = fill(y, f, weight);
    const at::Tensor deviation = (y - m).abs();
    const at::Tensor intact = 1.0 - weight;
    const at::Tensor scale = local_mean(deviation, intact, kScaleSigma).clamp_min(kMinScale);
    const at::Tensor intact_likelihood = at::exp(-deviation / scale) / (2.0 * scale);
    const double prior = std::clamp(weight.mean().item<double>(), 1e-4, 0.999);
    const at::Tensor damaged = prior * damaged_value_density(y, weight);
    weight = damaged / (damaged + (1.0 - prior) * intact_likelihood);
  }
  Composition out;
  out.fill = fill(y, f, weight);
  const at::Tensor intact = 1.0 - weight;
  const double noise_variance = dense_noise_variance(y - out.fill, intact);
  const at::Tensor d = y - f;
  const at::Tensor variance =
      smooth(d.square() * intact, kNoiseSigma) / smooth(intact, kNoiseSigma).clamp_min(kTiny);
  const at::Tensor gain = (variance - noise_variance).clamp_min(0.0) / variance.clamp_min(1e-12);
  const at::Tensor kept = f + gain * d;
  out.image = (intact * kept + weight * out.fill).clamp(0.0, 1.0);
  out.weight = weight;
  out.damaged_fraction = weight.mean().item<double>();
  out.noise_level = std::sqrt(std::max(noise_variance, 0.0));
  return out;
}

}  // namespace dop
