#include "dop/compose.hpp"

#include <gtest/gtest.h>
#include <torch/types.h>

#include "dop/corruption.hpp"
#include "dop/error.hpp"
#include "dop/metrics.hpp"
#include "test_util.hpp"

namespace dop {
namespace {

// What DOP gives for an observation of `clean`: a network output a little off everywhere
// (a smooth error, as a network's), and a sparse estimate that took the deviation of the
// damaged samples (here: exactly).
struct Fit {
  at::Tensor observed, network, sparse, damaged;
};

Fit fit_of(const at::Tensor& clean, const at::Tensor& observed) {
  const at::Tensor error =
      0.02 * test::smooth_image(clean.size(0), clean.size(1), clean.size(2)).flip({1}) - 0.01;
  const at::Tensor network = clean + error;
  const at::Tensor damaged = observed != clean;
  return {observed, network, at::where(damaged, observed - network, at::zeros_like(clean)),
          damaged};
}

// A photo-like image: smooth shapes, a fine texture on the left half (the right half is
// smooth, as a sky), and 8-bit samples.
at::Tensor photo_like() {
  const at::Tensor x = at::arange(64, at::kFloat).view({1, 1, 64});
  const at::Tensor y = at::arange(64, at::kFloat).view({1, 64, 1});
  const at::Tensor texture = 0.04 * at::sin(x * 1.3) * at::sin(y * 1.7) * (x < 32);
  return ((test::smooth_image(3, 64, 64) * 0.9 + texture) * 255.0).round() / 255.0;
}

const at::Tensor kClean = photo_like();

// One position in `every` of a 64×64 image, on diagonal lines.
at::Tensor every_nth(int64_t every) {
  const at::Tensor index = at::arange(64, at::kLong);
  return (index.view({1, 1, 64}) * 3 + index.view({1, 64, 1})).remainder(every) == 0;
}

TEST(Compose, KeepsIntactSamplesAndFillsDamagedOnes) {
  const Fit fit = fit_of(kClean, salt_and_pepper(kClean, 0.3, 1));
  const Composition c = compose(fit.observed, fit.network, fit.sparse);
  // Intact samples come back as observed (to float rounding), damaged ones are found.
  const at::Tensor intact = ~fit.damaged;
  EXPECT_LT((c.image - fit.observed).abs().masked_select(intact).max().item<float>(), 1e-3);
  EXPECT_GT(c.weight.masked_select(fit.damaged).min().item<float>(), 0.9);
  EXPECT_LT(c.weight.masked_select(intact).max().item<float>(), 0.1);
  EXPECT_NEAR(c.damaged_fraction, 0.3, 0.02);
  // The result beats the network output it started from, by far.
  EXPECT_GT(psnr(c.image, kClean), psnr(fit.network, kClean) + 6.0);
  EXPECT_LT(c.noise_level, 0.005);
}

TEST(Compose, FindsRandomValuedImpulsesDeadPixelsAndScratchesWithoutBeingTold) {
  for (CorruptionKind kind :
       {CorruptionKind::kRandomImpulse, CorruptionKind::kDeadPixels, CorruptionKind::kScratches}) {
    const double amount = kind == CorruptionKind::kScratches ? 0.05 : 0.2;
    const Fit fit = fit_of(kClean, corrupt(kClean, kind, amount, 3));
    const Composition c = compose(fit.observed, fit.network, fit.sparse);
    EXPECT_GT(psnr(c.image, kClean), psnr(fit.network, kClean) + 3.0) << to_string(kind);
  }
}

TEST(Compose, TakesTheNetworksDetailOnlyWhereItIsReal) {
  // The same damage and detection, two networks: one still learning, whose detail is its
  // own noise, and one off by a smooth error only, whose detail is the image's.
  const at::Tensor observed = salt_and_pepper(kClean, 0.3, 1);
  const Fit trained = fit_of(kClean, observed);
  const at::Tensor learning = add_gaussian_noise(kClean, 0.08, 5);
  const at::Tensor sparse = at::where(trained.damaged, observed - learning, at::zeros_like(kClean));
  auto on_damaged = [&](const at::Tensor& image) {
    return psnr(image.masked_select(trained.damaged), kClean.masked_select(trained.damaged));
  };
  const Composition from_learning = compose(observed, learning, sparse);
  const Composition from_trained = compose(observed, trained.network, trained.sparse);
  // The noise is left out of the fill: far above the noisy network where it fills.
  EXPECT_GT(on_damaged(from_learning.image), on_damaged(learning) + 8.0);
  // Real detail is taken: the fill from the trained network is better still.
  EXPECT_GT(on_damaged(from_trained.image), on_damaged(from_learning.image) + 1.0);
}

TEST(Compose, SaltAndPepperDoesNotSpreadToNearbyIntactValues) {
  // A dark field (a night sky, a deep-space photo): most intact samples lie within a few
  // levels of 0, where pepper puts its damage. Being near a value the damage takes is no
  // evidence of damage: only the value itself is.
  const at::Tensor dark =
      (add_gaussian_noise(kClean * 0.01 + 0.01, 0.006, 7).clamp(0.0, 1.0) * 255.0).round() / 255.0;
  const at::Tensor observed = salt_and_pepper(dark, 0.5, 4);
  const at::Tensor damaged = observed != dark;
  // A network that has the field's smooth light but not its fine grain.
  const at::Tensor network = kClean * 0.01 + 0.01;
  const Composition c =
      compose(observed, network, at::where(damaged, observed - network, at::zeros_like(dark)));
  // Intact samples at exactly 0 look like pepper; those a level or more above must not.
  const at::Tensor above = ~damaged & (dark > 0);
  EXPECT_LT((c.weight > 0.5).masked_select(above).to(at::kFloat).mean().item<float>(), 0.01);
  EXPECT_NEAR(c.damaged_fraction, 0.5, 0.02);
}

TEST(Compose, FindsTheWholeOfAScratchTheNetworkHasLearned) {
  // Salt-and-pepper noise, which the network has not learned, and two thin scratches of one
  // grey each, which it has, but for one pixel in five: only those and the salt and pepper
  // are in DOP's S. The network's detail is real elsewhere, so the fill takes it, and along
  // a scratch it is the scratch: the rest of each line must not vouch for itself.
  at::Tensor scratched = kClean.clone();
  for (int64_t i = 4; i < 60; ++i) {
    scratched.select(1, 20).select(1, i).fill_(0.9);           // a bright horizontal line
    scratched.select(1, i).select(1, i / 2 + 30).fill_(0.15);  // a dark slanted one
  }
  const at::Tensor observed = salt_and_pepper(scratched, 0.1, 2);
  const at::Tensor damaged = observed != kClean;
  const at::Tensor scratch = scratched != kClean;
  const at::Tensor learned = fit_of(scratched, scratched).network;
  const at::Tensor in_s = (observed != scratched) | (scratch & every_nth(5));
  const Composition c =
      compose(observed, learned,
              at::where(in_s, observed - (learned - scratched + kClean), at::zeros_like(kClean)));
  EXPECT_GT((c.weight > 0.5).masked_select(scratch).to(at::kFloat).mean().item<float>(), 0.9);
  EXPECT_LT((c.weight > 0.5).masked_select(~damaged).to(at::kFloat).mean().item<float>(), 0.01);
}

TEST(Compose, KeepsTheInsideOfAnAreaOfAValueTheDamageTakes) {
  // A clean photo with a white area, and a sparse estimate that took a few samples of it,
  // so that white is a value the damage takes. Inside the area (3 pixels from its edge and
  // more) every neighbour is white: the area is the image's own, not a run of damage.
  at::Tensor clean = kClean.clone();
  clean.narrow(1, 8, 20).narrow(2, 36, 20).fill_(1.0);
  const Fit fit = fit_of(clean, clean);
  const at::Tensor sparse =
      at::where((clean == 1.0) & every_nth(20), at::full_like(clean, 0.05), fit.sparse);
  const Composition c = compose(clean, fit.network, sparse);
  const at::Tensor inside = c.weight.narrow(1, 11, 14).narrow(2, 39, 14);
  EXPECT_LT((inside > 0.5).to(at::kFloat).mean().item<float>(), 0.01);
  // Along its edges up to half the neighbours are of the other side, which is no evidence
  // of damage. Its corners, where most are, are still taken (12% of the area; measuring
  // against all neighbours took its whole 2-pixel rim, 41%, and gave 22.5 dB).
  const at::Tensor area = c.weight.narrow(1, 8, 20).narrow(2, 36, 20);
  EXPECT_LT((area > 0.5).to(at::kFloat).mean().item<float>(), 0.2);
  EXPECT_GT(psnr(c.image, clean), 27.0);
}

TEST(Compose, BacksOffUnderDenseNoise) {
  // No sparse damage, Gaussian noise everywhere, a perfect network: keeping y would keep
  // the noise; the result must stay close to f.
  const at::Tensor noisy = add_gaussian_noise(kClean, 0.05, 2);
  const Composition c = compose(noisy, kClean, at::zeros_like(kClean));
  EXPECT_GT(psnr(c.image, kClean), psnr(noisy, kClean) + 6.0);
  EXPECT_NEAR(c.noise_level, 0.05, 0.015);
}

TEST(Compose, LeavesACleanImageAlone) {
  // Nothing damaged, no noise: the observation is the best there is.
  const Fit fit = fit_of(kClean, kClean);
  const Composition c = compose(kClean, fit.network, fit.sparse);
  EXPECT_GT(psnr(c.image, kClean), 50.0);
  EXPECT_GT(psnr(c.image, kClean), psnr(fit.network, kClean) + 6.0);
  EXPECT_LT(c.damaged_fraction, 0.01);
}

TEST(Compose, TinyImagesAndBadShapes) {
  for (int64_t side : {1, 2, 3}) {
    const at::Tensor y = at::rand({1, side, side + 1});
    const Composition c = compose(y, y * 0.5, at::zeros_like(y));
    EXPECT_EQ(c.image.sizes(), y.sizes());
    EXPECT_TRUE(at::isfinite(c.image).all().item<bool>());
  }
  EXPECT_THROW(compose(at::rand({3, 4, 4}), at::rand({3, 4, 5}), at::rand({3, 4, 4})), UsageError);
  EXPECT_THROW(compose(at::rand({4, 4}), at::rand({4, 4}), at::rand({4, 4})), UsageError);
}

TEST(Compose, ModeNames) {
  EXPECT_EQ(parse_compose_mode("auto"), ComposeMode::kAuto);
  EXPECT_EQ(to_string(parse_compose_mode("off")), "off");
  EXPECT_THROW(parse_compose_mode("on"), UsageError);
  EXPECT_EQ(parse_detection_start("residual"), DetectionStart::kResidual);
  EXPECT_EQ(to_string(parse_detection_start("sparse")), "sparse");
  EXPECT_THROW(parse_detection_start("s"), UsageError);
  EXPECT_EQ(parse_spike_test("median"), SpikeTest::kMedian);
  EXPECT_EQ(to_string(parse_spike_test("mean")), "mean");
  EXPECT_THROW(parse_spike_test("max"), UsageError);
}

TEST(Compose, TheResidualStartDoesNotReadS) {
  // The study option: the detection starts from |y − f| alone, so S does not matter, and
  // salt and pepper far from what f says is still found.
  const Fit fit = fit_of(kClean, salt_and_pepper(kClean, 0.3, 1));
  const Composition with_s =
      compose(fit.observed, fit.network, fit.sparse, {DetectionStart::kResidual});
  const Composition without_s =
      compose(fit.observed, fit.network, at::zeros_like(fit.sparse), {DetectionStart::kResidual});
  EXPECT_TRUE(at::equal(with_s.image, without_s.image));
  EXPECT_GT(psnr(with_s.image, kClean), psnr(fit.network, kClean) + 6.0);
  // The tool's start does read S: with S = 0 it starts from "nothing is damaged".
  const Composition sparse_zero =
      compose(fit.observed, fit.network, at::zeros_like(fit.sparse), {DetectionStart::kSparse});
  EXPECT_FALSE(
      at::equal(sparse_zero.weight, compose(fit.observed, fit.network, fit.sparse).weight));
}

TEST(Compose, TheMedianSpikeTestFindsASpikeNextToAHeavierOne) {
  // The tool's test against the earlier one. Two scratches' greys three levels apart, the detection
  // having found far more of the first (the network learned most of the second, so S holds little
  // of it), on a flat floor: against the mean of the bins either side the second does not stand out
  // (the first raises the mean), against their median it does. A flat histogram has no spikes.
  at::Tensor hist = at::full({256}, 0.5);
  hist[232] = 300.0;
  hist[229] = 40.0;
  const at::Tensor mean = detail::spike_bins(hist, SpikeTest::kMean);
  const at::Tensor median = detail::spike_bins(hist, SpikeTest::kMedian);
  EXPECT_TRUE(mean[232].item<bool>());
  EXPECT_FALSE(mean[229].item<bool>());
  EXPECT_TRUE(median[232].item<bool>());
  EXPECT_TRUE(median[229].item<bool>());
  EXPECT_EQ(median.sum().item<int64_t>(), 2);
  EXPECT_EQ(detail::spike_bins(at::ones({256}), SpikeTest::kMedian).sum().item<int64_t>(), 0);
  // Salt and pepper at the ends of the range: the bins past them do not count.
  at::Tensor ends = at::full({256}, 1.0);
  ends[0] = 500.0;
  ends[255] = 500.0;
  for (SpikeTest test : {SpikeTest::kMean, SpikeTest::kMedian}) {
    const at::Tensor spikes = detail::spike_bins(ends, test);
    EXPECT_TRUE(spikes[0].item<bool>() && spikes[255].item<bool>());
    EXPECT_EQ(spikes.sum().item<int64_t>(), 2);
  }
}

}  // namespace
}  // namespace dop
