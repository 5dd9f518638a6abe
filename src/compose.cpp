// Composition of the result (docs/algorithm.md, "Composition of the result"):
//   x̂ = (1 − w)·ŷ + w·m
// y the observation, f the network output, S = g⊙g − h⊙h DOP's sparse estimate.
//   m   the fill: the average of the intact neighbours' y (leave-one-out, weighted by
//       1 − w), plus β times f's own detail there (f minus the same average of f). β = 1
//       trusts f's detail; β falls to 0 as f is found to follow the damage (the network
//       fits coherent damage such as scratches in part): γ, the regression of f's detail
//       on the damage over the damaged samples, is the share that leaked, β = 1 − γ/γ₀.
//       The final fill weighs the neighbours also by their likeness in a first composite
//       (an edge-aware, joint bilateral average), which holds no damage, and adds what the
//       intact other channels of the same pixel say about its difference from its
//       neighbours (scaled by a slope fitted on the intact samples). Its β is chosen on a
//       lattice of intact samples held out as if damaged: of 0, ¼, ½, ¾, 1 (and at most
//       1 − γ/γ₀), the one whose fill predicts them best. A network still learning has
//       detail that is mostly its own noise, and the held-out samples say so.
//   w   the posterior probability that a sample is damaged, from a two-class mixture
//       fitted to the image by EM: an intact sample deviates from m (with the likeness
//       weights only where the neighbours alike to it hold half the weight, an area or an
//       edge of one; at a value the damage takes exactly, without the neighbours of that
//       very value where they form a thin run, so that a stretch of a scratch the network
//       has learned does not vouch for itself) by a Laplace law whose scale is
//       the local mean |y − m| of the intact neighbours, with a ten times wider tail at
//       values the damage seldom takes (up to 5%, as the damaged values' density falls
//       below uniform); a damaged one
//       takes a value from a distribution estimated as the histogram of the damaged
//       samples' values (spikes where salt-and-pepper, dead pixels, stuck values or
//       scratches put them, kept sharp; the rest smoothed, flat for random-valued
//       impulses); the prior is the damaged fraction, in the later iterations the damaged
//       fraction among samples whose neighbours are as damaged (so that lines and clusters
//       of damage are found whole, while scattered damage keeps one rate). DOP's split of
//       y − f starts it.
//   ŷ   y, or f + k·(y − f) where dense noise of level σ_n is found: k = max(V − σ_n², 0)/V,
//       V the local mean of (y − f)² over intact samples (a local Wiener filter).
#include "dop/compose.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <vector>

#include <ATen/ATen.h>

#include "dop/error.hpp"

namespace dop {
namespace {

// Fill: window radius and spatial σ of the neighbour weights, range σ (on the channel
// mean of the first composite) of the final fill's likeness weights, and the weight of f
// where no intact neighbour is near.
constexpr int64_t kFillRadius = 2;
constexpr double kFillSpatialSigma = 1.0;
constexpr double kFillRangeSigma = 0.05;
constexpr double kFillFallback = 0.01;
// The share γ₀ of the damage leaking into f at which f's detail is no longer used.
constexpr double kLeakLimit = 0.1;
constexpr double kLeakPriorSamples = 100.0;
// Scale of the intact residuals: Gaussian window σ, and the least scale allowed.
constexpr double kScaleSigma = 1.0;
constexpr double kMinScale = 1e-3;
// The intact law's tail: a Laplace law kIntactTailScale times wider, with a share of up to
// kIntactTailShare where the damage puts few values (fine detail the network has not
// learned deviates far from the fill; salt and pepper cannot take its values).
constexpr double kIntactTailShare = 0.05;
constexpr double kIntactTailScale = 10.0;
// Distribution of the damaged values: bins, Gaussian smoothing (in bins, half the mass),
// and the share of a uniform floor. A spike (a value the damage takes exactly: salt,
// pepper, a dead pixel's 0, a scratch's grey) is a bin holding at least kSpikeShare of the
// damaged mass and kSpikeRatio times the median of the kSpikeReach bins either side (a
// scratch's grey a few levels from a more-detected one's still stands out); it is not
// smoothed.
constexpr int64_t kValueBins = 256;
constexpr double kValueBlurBins = 2.0;
constexpr double kValueFloor = 0.01;
constexpr double kSpikeShare = 0.005;
constexpr double kSpikeRatio = 5.0;
constexpr int64_t kSpikeReach = 3;
// A sample at a spike's value is compared with its neighbours of other values where those
// of its own value hold less than this share of the neighbour weights: a run one or two
// pixels wide (a 1-pixel line holds 29% of a 5×5 window's weights, a 2-pixel one up to
// 58%), not an area (a straight edge of a saturated area 64%, its inside 100%).
constexpr double kThinRunShare = 0.5;
// While detecting, a sample whose neighbours alike to it (in the likeness of the final
// fill) hold at least this share of the neighbour weights is measured against those only.
constexpr double kAlikeShare = 0.5;
// EM: iterations, the first one whose prior depends on the neighbours, the neighbourhood
// (Gaussian σ), its bins, and the weight (in samples) of the global rate in each bin.
constexpr int kEmIterations = 8;
constexpr int kNeighbourPriorFrom = 4;
constexpr double kNeighbourSigma = 1.0;
constexpr int64_t kNeighbourBins = 10;
constexpr double kNeighbourPriorCount = 10.0;
// The held-out check of the final fill: one intact sample in kHoldOutEvery, and the β tried.
constexpr int64_t kHoldOutEvery = 16;
constexpr double kDetailShares[] = {0.0, 0.25, 0.5, 0.75, 1.0};
// Dense noise: window σ of the local variances, and the quantile of them taken as σ_n².
constexpr double kNoiseSigma = 2.0;
constexpr double kNoiseQuantile = 0.1;
constexpr double kTiny = 1e-6;
// The residual start (a study option): how many robust scales of |y − f| mark a sample as
// surely damaged.
constexpr double kResidualStartScales = 3.0;

// Edge-replicating pad of the last two dimensions by r, for any size (even 1×1).
at::Tensor pad_edge(const at::Tensor& t, int64_t r) {
  const int64_t h = t.size(-2), w = t.size(-1);
  const auto opts = at::TensorOptions().dtype(at::kLong).device(t.device());
  const at::Tensor rows = at::arange(-r, h + r, opts).clamp(0, h - 1);
  const at::Tensor cols = at::arange(-r, w + r, opts).clamp(0, w - 1);
  return t.index_select(-2, rows).index_select(-1, cols);
}

// The bin of kValueBins a sample's value falls in (8-bit images: its level).
at::Tensor value_bin(const at::Tensor& y) {
  return (y.clamp(0.0, 1.0) * (kValueBins - 1)).round().to(at::kLong);
}

// The neighbour at offset (dy, dx) of every position of the original H×W, from the
// tensor padded by r.
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

// The leave-one-out averages of y and of f over the intact neighbours (5×5), each
// neighbour j of i weighted by (1 − w_j)·exp(−|i − j|²/2σ_s²), times the likeness
// exp(−(ḡ_j − ḡ_i)²/2σ_r²) of the guide's channel mean ḡ when a guide is given. Where i's
// value is one the damage takes exactly (`spike`: 1 there, from damaged_values), a neighbour
// with the very same value does not count: an undetected stretch of a scratch would
// otherwise vouch for itself. Where no neighbour counts, both averages lean to f.
struct NeighbourAverages {
  at::Tensor y, f;
  at::Tensor total;  ///< the sum of the neighbour weights (without the lean to f)
};

NeighbourAverages neighbour_averages(const at::Tensor& y, const at::Tensor& f,
                                     const at::Tensor& weight, const at::Tensor& guide = {},
                                     const at::Tensor& spike = {}) {
  const int64_t r = kFillRadius, h = y.size(1), w = y.size(2);
  const at::Tensor intact_padded = pad_edge(1.0 - weight, r);
  const auto index = at::TensorOptions().dtype(at::kLong).device(y.device());
  const at::Tensor row = at::arange(h, index).view({h, 1});
  const at::Tensor col = at::arange(w, index).view({1, w});
  const at::Tensor y_padded = pad_edge(y, r);
  const at::Tensor f_padded = pad_edge(f, r);
  at::Tensor mean_guide, guide_padded;
  if (guide.defined()) {
    mean_guide = guide.mean(0, /*keepdim=*/true);
    guide_padded = pad_edge(mean_guide, r);
  }
  at::Tensor level, level_padded;
  if (spike.defined()) {
    level = value_bin(y);
    level_padded = pad_edge(level, r);
  }
  at::Tensor sum_y = kFillFallback * f;
  at::Tensor sum_f = kFillFallback * f;
  at::Tensor total = at::full_like(y, kFillFallback);
  at::Tensor same_y, same_f, same_total;  // the part of each sum from neighbours of i's value
  if (spike.defined()) {
    same_y = at::zeros_like(y);
    same_f = at::zeros_like(y);
    same_total = at::zeros_like(y);
  }
  for (int64_t dy = -r; dy <= r; ++dy) {
    for (int64_t dx = -r; dx <= r; ++dx) {
      if (dy == 0 && dx == 0) continue;
      const double spatial = std::exp(-static_cast<double>(dy * dy + dx * dx) /
                                      (2.0 * kFillSpatialSigma * kFillSpatialSigma));
      at::Tensor k = at_offset(intact_padded, r, dy, dx, h, w) * spatial;
      // At the image's edge the padding repeats the sample itself: no neighbour of its own
      // (a damaged corner would vouch for itself).
      const at::Tensor own_row =
          dy == 0 ? at::ones_like(row, at::kBool) : row == (dy < 0 ? 0 : h - 1);
      const at::Tensor own_col =
          dx == 0 ? at::ones_like(col, at::kBool) : col == (dx < 0 ? 0 : w - 1);
      k = k * (~(own_row & own_col)).to(k.scalar_type());
      if (guide.defined()) {
        k = k * at::exp((at_offset(guide_padded, r, dy, dx, h, w) - mean_guide).square() *
                        (-1.0 / (2.0 * kFillRangeSigma * kFillRangeSigma)));
      }
      const at::Tensor y_j = at_offset(y_padded, r, dy, dx, h, w);
      const at::Tensor f_j = at_offset(f_padded, r, dy, dx, h, w);
      sum_y.addcmul_(k, y_j);
      sum_f.addcmul_(k, f_j);
      total.add_(k);
      if (spike.defined()) {
        const at::Tensor k_same = k * at_offset(level_padded, r, dy, dx, h, w).eq(level);
        same_y.addcmul_(k_same, y_j);
        same_f.addcmul_(k_same, f_j);
        same_total.add_(k_same);
      }
    }
  }
  if (spike.defined()) {
    // Only a thin run of one value is left out (a scratch is one or two pixels wide): where
    // the neighbours of i's value hold most of the weight, i lies in an area of that value
    // (a saturated sky), which is the image's own.
    const at::Tensor leave = spike * (same_total < kThinRunShare * (total - kFillFallback));
    sum_y = sum_y - leave * same_y;
    sum_f = sum_f - leave * same_f;
    total = total - leave * same_total;
  }
  return {sum_y / total, sum_f / total, total - kFillFallback};
}

// The share of f's detail that does not follow the damage: 1 − γ/γ₀, γ the leak of f's
// detail into the damage, over the damaged samples, shrunk towards no leak by
// kLeakPriorSamples samples' worth of damage (an image with (almost) nothing damaged keeps
// f's detail).
double unleaked_share(const NeighbourAverages& avg, const at::Tensor& y, const at::Tensor& f,
                      const at::Tensor& weight) {
  const at::Tensor detail = f - avg.f;
  const at::Tensor damage = y - avg.y;
  const at::Tensor damage_square = damage.square();
  const double leak =
      ((weight * detail * damage).sum() /
       ((weight * damage_square).sum() + kLeakPriorSamples * damage_square.mean()).clamp_min(1e-12))
          .item<double>();
  return std::clamp(1.0 - std::clamp(leak, 0.0, 1.0) / kLeakLimit, 0.0, 1.0);
}

// m = ȳ + β·(f − f̄): the neighbours' average plus f's detail, less what of it follows the
// damage (β = unleaked_share).
at::Tensor with_detail(const NeighbourAverages& avg, const at::Tensor& y, const at::Tensor& f,
                       const at::Tensor& weight) {
  return avg.y + unleaked_share(avg, y, f, weight) * (f - avg.f);
}

at::Tensor fill(const at::Tensor& y, const at::Tensor& f, const at::Tensor& weight) {
  return with_detail(neighbour_averages(y, f, weight), y, f, weight);
}

}  // namespace

// The spikes of a histogram: bins holding at least kSpikeShare of its mass and at least
// kSpikeRatio times the median (the tool's) or the mean of the (up to) kSpikeReach bins on
// either side.
at::Tensor detail::spike_bins(const at::Tensor& hist, SpikeTest test) {
  const int64_t n = hist.size(0);
  // The bins past either end are NaN: not there.
  const at::Tensor padded = at::constant_pad_nd(hist, {kSpikeReach, kSpikeReach}, std::nan(""));
  std::vector<at::Tensor> sides;
  for (int64_t d = -kSpikeReach; d <= kSpikeReach; ++d) {
    if (d != 0) sides.push_back(padded.narrow(0, kSpikeReach + d, n));
  }
  const at::Tensor around = at::stack(sides);
  const at::Tensor level =
      test == SpikeTest::kMedian ? std::get<0>(around.nanmedian(0)) : around.nanmean(0);
  return (hist > 0.0) & (hist >= kSpikeShare * hist.sum()) & (hist >= kSpikeRatio * level);
}

namespace {

// Histogram of the values of the samples weighted by `weight`, normalised to a density
// on [0, 1] (kValueBins bins).
at::Tensor damaged_value_histogram(const at::Tensor& y, const at::Tensor& weight) {
  at::Tensor hist = at::zeros({kValueBins}, y.options());
  hist.index_add_(0, value_bin(y).flatten(), weight.flatten());
  return hist * (static_cast<double>(kValueBins) / std::max(hist.sum().item<double>(), kTiny));
}

// The law of the damaged values, read at each sample's value: `density`, on [0, 1], is a
// histogram of the values of the samples weighted by `weight` (kValueBins bins), half of it
// smoothed but for its spikes, plus a floor; a value the damage takes exactly adds no
// likelihood to the values next to it (a dark field's intact samples one level above
// pepper). `spike` is 1 where the sample's value is one of those spikes, else 0.
struct DamagedValues {
  at::Tensor density, spike;
};

DamagedValues damaged_values(const at::Tensor& y, const at::Tensor& weight, SpikeTest test) {
  const at::Tensor index = value_bin(y).flatten();
  const at::Tensor hist = damaged_value_histogram(y, weight);
  const at::Tensor is_spike = detail::spike_bins(hist, test);
  const at::Tensor spikes = at::where(is_spike, hist, at::zeros_like(hist));
  const at::Tensor rest = hist - spikes;
  const at::Tensor blurred =
      smooth(rest.view({1, 1, kValueBins}), kValueBlurBins).view({kValueBins});
  const at::Tensor density =
      (spikes + 0.5 * rest + 0.5 * blurred) * (1.0 - kValueFloor) + kValueFloor;
  return {density.index_select(0, index).view_as(y),
          is_spike.to(y.scalar_type()).index_select(0, index).view_as(y)};
}

// The prior of damage: the damaged fraction, the same for every sample.
at::Tensor global_prior(const at::Tensor& weight) {
  return at::full_like(weight, std::clamp(weight.mean().item<double>(), 1e-4, 0.999));
}

// The prior of damage given the neighbours: the damaged fraction among the samples whose
// neighbours (Gaussian σ kNeighbourSigma, leave-one-out) are about as damaged, in
// kNeighbourBins bins, each pulled towards the global fraction by kNeighbourPriorCount
// samples' worth. Scattered damage gives every bin the same rate; lines and clusters raise
// it next to damage.
at::Tensor neighbour_prior(const at::Tensor& weight) {
  const double global = std::clamp(weight.mean().item<double>(), 1e-4, 0.999);
  const at::Tensor neighbours =
      local_mean(weight, at::ones_like(weight), kNeighbourSigma).clamp(0.0, 1.0);
  const at::Tensor bin = (neighbours * (kNeighbourBins - 1)).round().to(at::kLong).flatten();
  at::Tensor damaged = at::zeros({kNeighbourBins}, weight.options());
  at::Tensor count = at::zeros({kNeighbourBins}, weight.options());
  damaged.index_add_(0, bin, weight.flatten());
  count.index_add_(0, bin, at::ones_like(weight).flatten());
  const at::Tensor rate =
      (damaged + kNeighbourPriorCount * global) / (count + kNeighbourPriorCount);
  return rate.index_select(0, bin).view_as(weight).clamp(1e-4, 0.999);
}

// m corrected by the other channels of the same pixel: where they are intact, their
// deviation from their own fill (r = y − m) tells how this pixel differs from its
// neighbours, as an edge or a texture does in every channel; m_c += λ·r̄_c, r̄_c the
// intact-weighted mean of the other channels' r, scaled by their intact share, λ the
// least-squares slope of r_c on r̄_c over the samples where both are intact.
at::Tensor cross_channel(const at::Tensor& y, const at::Tensor& m, const at::Tensor& weight) {
  const int64_t channels = y.size(0);
  if (channels < 2) return m;
  const at::Tensor intact = 1.0 - weight;
  const at::Tensor r = y - m;
  const at::Tensor others_intact = intact.sum(0, /*keepdim=*/true) - intact;
  const at::Tensor others_r =
      ((intact * r).sum(0, /*keepdim=*/true) - intact * r) / others_intact.clamp_min(kTiny);
  const at::Tensor share = others_intact / static_cast<double>(channels - 1);
  const double slope = ((intact * share * r * others_r).sum() /
                        (intact * share * others_r.square()).sum().clamp_min(1e-12))
                           .item<double>();
  return m + slope * share * others_r;
}

// One sample in kHoldOutEvery on a fixed lattice that shifts with the channel (so that the
// other channels of a held-out sample are mostly not held out, as with scattered damage).
at::Tensor hold_out_lattice(const at::Tensor& like) {
  const auto opts = at::TensorOptions().dtype(at::kLong).device(like.device());
  const at::Tensor c = at::arange(like.size(0), opts).view({-1, 1, 1});
  const at::Tensor i = at::arange(like.size(1), opts).view({1, -1, 1});
  const at::Tensor j = at::arange(like.size(2), opts).view({1, 1, -1});
  return ((c * 5 + i * 7 + j * 3).remainder(kHoldOutEvery) == 0).to(like.scalar_type());
}

// A first composite, the guide of the final fill's likeness weights: the samples deemed
// damaged (weight w) filled by fill(), which holds no damage.
at::Tensor first_composite(const at::Tensor& y, const at::Tensor& f, const at::Tensor& weight) {
  return (1.0 - weight) * y + weight * fill(y, f, weight);
}

// The m each sample's deviation is measured against while detecting. A sample at a value the
// damage takes exactly leaves out its neighbours of that very value where they form a thin
// run (`spike`, from damaged_values). Where the neighbours alike to it in a first composite hold at
// least kAlikeShare of the neighbour weights (it lies in an area or along an edge of one), only
// those count: the other side of an edge is not evidence of damage. Elsewhere (fine
// texture, a line, a lone impulse) all of them count, so that a line or an impulse is not
// vouched for by what resembles it.
at::Tensor detection_fill(const at::Tensor& y, const at::Tensor& f, const at::Tensor& weight,
                          const at::Tensor& spike) {
  const NeighbourAverages all = neighbour_averages(y, f, weight, {}, spike);
  const NeighbourAverages alike =
      neighbour_averages(y, f, weight, first_composite(y, f, weight), spike);
  return at::where(alike.total >= kAlikeShare * all.total, with_detail(alike, y, f, weight),
                   with_detail(all, y, f, weight));
}

// The final fill: fill() guided by a first composite and corrected by the other channels,
// its β chosen on intact samples held out as if damaged. A network still learning has
// detail that is mostly its own noise; a trained one, real; how the other channels'
// correction combines with it depends on the image. Of kDetailShares up to unleaked_share,
// the β whose fill predicts the held-out samples best (refined between the grid's points),
// computed as if they were damaged (without them, and with a guide that does not hold their
// values); without any intact sample to hold out, unleaked_share.
at::Tensor final_fill(const at::Tensor& y, const at::Tensor& f, const at::Tensor& weight) {
  const NeighbourAverages avg = neighbour_averages(y, f, weight, first_composite(y, f, weight));
  const double unleaked = unleaked_share(avg, y, f, weight);
  const at::Tensor held = hold_out_lattice(y) * (weight < 0.5).to(y.scalar_type());
  double beta = unleaked;
  if (held.sum().item<double>() > 0.0) {
    const at::Tensor without = at::maximum(weight, held);
    const NeighbourAverages h = neighbour_averages(y, f, without, first_composite(y, f, without));
    constexpr size_t kShares = std::size(kDetailShares);
    double error[kShares];
    size_t best = 0;
    for (size_t k = 0; k < kShares; ++k) {
      const at::Tensor m = cross_channel(y, h.y + kDetailShares[k] * (f - h.f), without);
      error[k] = (held * (y - m).square()).sum().item<double>();
      if (error[k] < error[best]) best = k;
    }
    // Between the grid's points: the vertex of the parabola through the best and its two
    // neighbours, kept between those, so that β moves smoothly as the network trains.
    double share = kDetailShares[best];
    if (best > 0 && best + 1 < kShares) {
      const double curvature = error[best - 1] - 2.0 * error[best] + error[best + 1];
      if (curvature > 0.0) {
        const double step = kDetailShares[best + 1] - kDetailShares[best];
        share +=
            std::clamp(0.5 * step * (error[best - 1] - error[best + 1]) / curvature, -step, step);
      }
    }
    beta = std::min(share, unleaked);
  }
  return cross_channel(y, avg.y + beta * (f - avg.f), weight);
}

// The q-quantile of all of `values` (the k-th least, k = ⌊q·n⌋, at least the least).
double kth_quantile(const at::Tensor& values, double q) {
  const at::Tensor flat = values.flatten();
  const int64_t k = std::max<int64_t>(1, static_cast<int64_t>(q * flat.numel()));
  return std::get<0>(flat.kthvalue(k)).item<double>();
}

// The σ_n² of the dense noise: a low quantile of the local mean square of the residuals
// y − m of the intact samples (flat parts of the image, where m is exact up to the noise).
double dense_noise_variance(const at::Tensor& residual, const at::Tensor& intact) {
  return kth_quantile(smooth(residual.square() * intact, kNoiseSigma) /
                          smooth(intact, kNoiseSigma).clamp_min(kTiny),
                      kNoiseQuantile);
}

// The detection's start from the residual d = y − f alone: |d| / (kResidualStartScales·σ),
// at most 1, σ the lower quartile of |d| read as a Gaussian's (P(|x| < 0.3186σ) = ¼).
at::Tensor residual_start(const at::Tensor& d) {
  const at::Tensor magnitude = d.abs();
  const double sigma = std::max(kth_quantile(magnitude, 0.25) / 0.3186, kMinScale);
  return (magnitude / (kResidualStartScales * sigma)).clamp(0.0, 1.0);
}

}  // namespace

std::string to_string(ComposeMode mode) { return mode == ComposeMode::kOff ? "off" : "auto"; }

ComposeMode parse_compose_mode(const std::string& name) {
  if (name == "off") return ComposeMode::kOff;
  if (name == "auto") return ComposeMode::kAuto;
  throw UsageError("unknown composition '" + name + "': use auto or off");
}

std::string to_string(DetectionStart start) {
  return start == DetectionStart::kResidual ? "residual" : "sparse";
}

DetectionStart parse_detection_start(const std::string& name) {
  if (name == "sparse") return DetectionStart::kSparse;
  if (name == "residual") return DetectionStart::kResidual;
  throw UsageError("unknown detection start '" + name + "': use sparse or residual");
}

std::string to_string(SpikeTest test) { return test == SpikeTest::kMedian ? "median" : "mean"; }

SpikeTest parse_spike_test(const std::string& name) {
  if (name == "mean") return SpikeTest::kMean;
  if (name == "median") return SpikeTest::kMedian;
  throw UsageError("unknown spike test '" + name + "': use mean or median");
}

Composition compose(const at::Tensor& observed, const at::Tensor& network, const at::Tensor& sparse,
                    const DetectionOptions& detection) {
  if (observed.dim() != 3 || observed.sizes() != network.sizes() ||
      observed.sizes() != sparse.sizes()) {
    throw UsageError("compose() takes three C×H×W tensors of one shape");
  }
  const at::Tensor y = observed.to(at::kFloat);
  const at::Tensor f = network.to(y.device(), at::kFloat);
  // DOP's own split of y − f starts it: S carries the part of the deviation it took as
  // damage.
  at::Tensor weight =
      detection.start == DetectionStart::kResidual
          ? residual_start(y - f)
          : (sparse.to(y.device(), at::kFloat).abs() / ((y - f).abs() + kTiny)).clamp(0.0, 1.0);
  for (int i = 0; i < kEmIterations; ++i) {
    const DamagedValues damaged_law = damaged_values(y, weight, detection.spikes);
    const at::Tensor deviation = (y - detection_fill(y, f, weight, damaged_law.spike)).abs();
    const at::Tensor intact = 1.0 - weight;
    const at::Tensor scale = local_mean(deviation, intact, kScaleSigma).clamp_min(kMinScale);
    const at::Tensor& density = damaged_law.density;
    const at::Tensor tail = kIntactTailShare * (1.0 - density).clamp(0.0, 1.0);
    const at::Tensor wide = kIntactTailScale * scale;
    const at::Tensor intact_likelihood =
        (1.0 - tail) * at::exp(-deviation / scale) / (2.0 * scale) +
        tail * at::exp(-deviation / wide) / (2.0 * wide);
    const at::Tensor prior =
        i < kNeighbourPriorFrom ? global_prior(weight) : neighbour_prior(weight);
    const at::Tensor damaged = prior * density;
    weight = damaged / (damaged + (1.0 - prior) * intact_likelihood);
  }
  Composition out;
  out.fill = final_fill(y, f, weight);
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
