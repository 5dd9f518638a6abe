#pragma once

#include <string>

#include <ATen/core/Tensor.h>

namespace dop {

/// How the restored image is put together from the observation y and what DOP estimated
/// (docs/algorithm.md, "Composition of the result").
enum class ComposeMode {
  /// The network output f everywhere: the paper's result.
  kOff,
  /// x̂ = (1 − w)·ŷ + w·m: each sample keeps its observed value (ŷ: y, or y pulled
  /// towards f where dense noise was found) with weight 1 − w, w being the probability
  /// that it is damaged, and is filled with m, the intact neighbours' average plus what
  /// of f's detail is real, with weight w. The weights are fitted to the image itself; no
  /// noise type or level is given.
  kAuto,
};

/// "off", "auto".
std::string to_string(ComposeMode mode);
/// Inverse of to_string; throws dop::UsageError for anything else.
ComposeMode parse_compose_mode(const std::string& name);

/// What compose() returns.
struct Composition {
  /// x̂, C×H×W in [0, 1].
  at::Tensor image;
  /// w: the probability that each sample is damaged, C×H×W in [0, 1].
  at::Tensor weight;
  /// m: the fill, the intact neighbours' average plus the share of f's detail found real,
  /// corrected by the other channels of the pixel, C×H×W.
  at::Tensor fill;
  /// Mean of w: the fraction of the samples found damaged.
  double damaged_fraction = 0.0;
  /// Standard deviation of the dense noise found on the intact samples (intensities in
  /// [0, 1]); about the quantisation step for a clean photo.
  double noise_level = 0.0;
};

/// Where the detection's EM starts. The tool uses kSparse; kResidual is for studies of how
/// much the result depends on how far S has come (docs/results/compose, "No early stopping").
enum class DetectionStart {
  /// DOP's split of y − f: the share |S| / |y − f| that S took as damage.
  kSparse,
  /// The residual alone, S unused: |y − f| over three times its robust scale (the lower
  /// quartile of |y − f| read as a Gaussian's), at most 1.
  kResidual,
};

/// "sparse", "residual".
std::string to_string(DetectionStart start);
/// Inverse of to_string; throws dop::UsageError for anything else.
DetectionStart parse_detection_start(const std::string& name);

/// How the detection tells a value the damage takes exactly (a spike of the damaged values'
/// histogram: salt, pepper, a dead pixel's 0, a scratch's grey) from the rest. The tool uses
/// kMedian; kMean, the earlier test, is kept for studies (docs/results/compose, "The spike
/// test").
enum class SpikeTest {
  /// A bin is a spike where it holds five times the mean of the three bins either side: two
  /// or three scratches of greys a level or two apart raise each other's mean and none is.
  kMean,
  /// Five times their median: a spike next to another still stands out.
  kMedian,
};

/// "mean", "median".
std::string to_string(SpikeTest test);
/// Inverse of to_string; throws dop::UsageError for anything else.
SpikeTest parse_spike_test(const std::string& name);

/// The detection's settings that studies vary; the defaults are the tool's.
struct DetectionOptions {
  DetectionStart start = DetectionStart::kSparse;
  SpikeTest spikes = SpikeTest::kMedian;
};

namespace detail {
/// The bins of `histogram` (1-D) that are spikes: holding at least 0.5% of its mass and five
/// times the median (kMedian) or the mean (kMean) of the (up to) three bins either side; a
/// boolean tensor of its size. Used by compose(); declared here for the tests.
at::Tensor spike_bins(const at::Tensor& histogram, SpikeTest test);
}  // namespace detail

/// Composes the result from the observation `observed` (y), the network output `network`
/// (f) and DOP's sparse estimate `sparse` (S = g⊙g − h⊙h), all C×H×W on one device.
/// Throws dop::UsageError when their shapes differ.
Composition compose(const at::Tensor& observed, const at::Tensor& network, const at::Tensor& sparse,
                    const DetectionOptions& detection = {});

}  // namespace dop
