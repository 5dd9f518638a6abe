#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <c10/core/Device.h>
#include <torch/nn/module.h>

#include "dop/compose.hpp"
#include "dop/convergence.hpp"
#include "dop/paper.hpp"
#include "dop/skip_net.hpp"
#include "dop/sparse_noise.hpp"
#include "dop/step_rule.hpp"

namespace torch::optim {
class Adam;
}

namespace dop {

/// What is fitted to the observation.
enum class Method {
  /// Double over-parameterisation: f(θ; z) + g⊙g − h⊙h, MSE loss, plain gradient
  /// descent with step τ for θ and α·τ for g, h (the paper's method).
  kDop,
  /// Deep Image Prior baseline: f(θ; z) alone, MSE loss, Adam.
  kDip,
  /// DIP with L1 loss (robust to outliers but overfits them eventually), Adam.
  kDipL1,
};

/// "dop", "dip", "dip-l1".
std::string to_string(Method method);
/// Inverse of to_string; throws dop::UsageError for anything else.
Method parse_method(const std::string& name);

/// The arithmetic of the training. Only kBFloat16 changes what the CPU computes; the others
/// set how a CUDA device computes in float32 (process-wide LibTorch settings).
enum class Precision {
  /// The linked LibTorch's defaults: on CUDA, cuDNN may use TF32 for convolutions (Ampere
  /// and later), matrix products are float32.
  kDefault,
  /// float32 throughout: TF32 off for cuDNN and cuBLAS.
  kFloat32,
  /// TF32 allowed for convolutions and matrix products (CUDA, Ampere and later).
  kTF32,
  /// The network's forward pass under bfloat16 autocast (its backward follows); every
  /// parameter, g, h, the loss and the updates stay float32.
  kBFloat16,
};

/// "default", "float32", "tf32", "bf16".
std::string to_string(Precision precision);
/// Inverse of to_string; throws dop::UsageError for anything else.
Precision parse_precision(const std::string& name);

/// Settings of a restoration. Defaults are the paper's (docs/algorithm.md §1) but for α and τ,
/// which follow the image size.
struct TrainOptions {
  /// Method fitted (see Method).
  Method method = Method::kDop;
  /// Gradient steps, ≥ 1. The result is the output at the last one (no early stopping).
  int64_t iterations = paper::kIterations;
  /// Network step τ, > 0; 0 = the method's default: 0.01 for DIP and DIP-L1 (Adam); for
  /// DOP (plain gradient descent) max(1, 2s), s the size factor (kAutoSizeElements): 2 at
  /// 128×128 RGB, 4 at 256×256, 8 at 512×512, 1 at 64×64 and below. From 128×128 up,
  /// growing with s (and α with it) keeps the g, h steps per element (α·τ/N) and the
  /// network's pull towards the noise (τ/√N) what they are at 128×128, so a larger image
  /// converges in about as many iterations instead of s times as many
  /// (docs/results/speed/size); with the factor 2 (τ = s before) every RGB case measured
  /// at 128×128 ends higher at 2,000 iterations
  /// (docs/results/speed/step). The paper used 1.
  double lr = 0.0;
  /// DOP: after this iteration both steps decay (their ratio kept, form: lr_decay), so that
  /// running longer moves the result less and less; ≥ 0, 0 = constant steps, as the paper.
  int64_t lr_decay_start = 0;
  /// DOP: how the steps decay after lr_decay_start (see StepDecay).
  StepDecay lr_decay = StepDecay::kInverseLog;
  /// Ratio α of the g, h step to the network's (DOP only), ≥ 0. 0 = automatic, scaled
  /// with the image (see kAutoAlpha): 300 for a 128×128 RGB image, 600 at 256×256, 1200
  /// at 512×512, 250 at 64×64 (docs/results/speed/step, docs/results/alpha-size). The paper
  /// used 500 at 512×512 for 150,000 iterations; pass it explicitly to reproduce that.
  double alpha = 0.0;
  /// g and h start as N(0, sparse_init_scale²) per element, ≥ 0.
  double sparse_init_scale = paper::kSparseInitScale;
  /// The fixed network input z is uniform in [0, input_scale), > 0.
  double input_scale = paper::kInputScale;
  /// Standard deviation of the fresh Gaussian jitter added to z at every step, ≥ 0.
  double input_jitter = paper::kInputJitter;
  /// Network shape; output_channels is taken from the image.
  SkipNetOptions network;
  /// Seed of every random draw (network weights, z, g, h, jitter).
  uint64_t seed = 0;
  /// Weight β in [0, 1) of an exponential moving average of the network output over the
  /// steps, bias-corrected as Adam's moments (divided by 1 − β^t): when > 0 the result is
  /// that average instead of the last step's output, which smooths out the step-to-step
  /// wobble of the input jitter (docs/results/speed/average). It does not change the
  /// training itself. 0 = off: the last output, as the paper.
  double output_average = 0.0;
  /// How the result is made from the observation and the run's estimates (see
  /// ComposeMode): kAuto keeps the samples found intact and fills the others; kOff returns
  /// the network output, as the paper. It does not change the training itself.
  ComposeMode compose = ComposeMode::kOff;
  /// Arithmetic of the training (see Precision). kDefault: as LibTorch does by default.
  Precision precision = Precision::kDefault;
  /// On CUDA: let cuDNN time its convolution algorithms for each shape on first use and
  /// keep the fastest (a process-wide LibTorch setting). No effect on the CPU.
  bool cudnn_benchmark = false;

  /// The step τ in effect for an observation of `elements` = C·H·W values (resolves lr = 0).
  double effective_lr(int64_t elements) const;
  /// The α in effect for an observation of `elements` = C·H·W values (resolves alpha = 0).
  double effective_alpha(int64_t elements) const;
  /// The composition in effect: compose for DOP, kOff for the baselines (no sparse term).
  ComposeMode effective_compose() const {
    return method == Method::kDop ? compose : ComposeMode::kOff;
  }
  /// Throws dop::UsageError naming the first setting out of range.
  void validate() const;
};

/// One sample of the learning curve.
struct Progress {
  /// Iterations done (1-based: 1 after the first step).
  int64_t iteration = 0;
  /// Total iterations of the run.
  int64_t iterations = 0;
  /// Training loss of the last step.
  double loss = 0.0;
  /// Wall-clock seconds of training since the first step began (the time of the PSNR
  /// samples themselves left out).
  double seconds = 0.0;
  /// PSNR (dB) of the current result (what the run would return if it ended here)
  /// against the clean image; NaN without one.
  double psnr = std::numeric_limits<double>::quiet_NaN();
  /// Root-mean-square change of the output over the last ConvergenceStop::window
  /// iterations (NaN before the first window ends).
  double change = std::numeric_limits<double>::quiet_NaN();
  /// Root-mean-square change of the composed result over the window ending here, where the
  /// early end of a composed run measured it (the windows up to ConvergenceStop::settle_by
  /// while it is still possible); NaN elsewhere.
  double composed_change = std::numeric_limits<double>::quiet_NaN();
};

/// Fits the model to one observed image, one step at a time.
///
/// The observation is reflect-padded to what the network accepts; the loss is taken over
/// the padded image (as the paper's code does over its crop); output() and corruption()
/// are cropped back to the observation's size.
class Trainer {
 public:
  /// observed: C×H×W float image in [0, 1] (any size ≥ 1×1, any C ≥ 1).
  Trainer(const at::Tensor& observed, const TrainOptions& options, c10::Device device = c10::kCPU);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  /// One gradient step. Returns the loss before the step as a 0-dim tensor on the device
  /// (reading it synchronises a GPU, so callers read it only as often as they need).
  at::Tensor step();

  /// The network output of the last step, or its moving average when
  /// TrainOptions::output_average > 0, clamped to [0, 1], C×H×W on the CPU.
  /// Before the first step: a forward pass without jitter.
  at::Tensor output();
  /// The sparse estimate g⊙g − h⊙h, C×H×W on the CPU (zeros for DIP and DIP-L1).
  at::Tensor corruption();

  int64_t iteration() const { return iteration_; }
  /// The step τ in effect (TrainOptions::lr resolved for this image and method).
  double lr() const { return lr_; }
  /// The α in effect (TrainOptions::alpha resolved for this image).
  double alpha() const { return alpha_; }
  const TrainOptions& options() const { return options_; }
  c10::Device device() const { return device_; }
  /// Trainable scalars: network, plus g and h for DOP.
  int64_t parameter_count() const;

  /// Writes everything needed to continue exactly where this trainer is (network
  /// weights and BatchNorm buffers, g and h, Adam's moments, the step, the random
  /// generators' states, the settings and a checksum of the observation) plus the
  /// learning curve so far and what the automatic stop has seen, atomically (temporary
  /// file, then rename). Throws dop::OutputError when the file cannot be written.
  void save_checkpoint(const std::filesystem::path& path, const std::vector<Progress>& history,
                       const ConvergenceState& stop = {}) const;
  /// Continues from a checkpoint written by save_checkpoint for the same observation and
  /// settings; returns its learning curve, and what the automatic stop had seen in `stop`
  /// when given (a fresh state for checkpoints without it). On the CPU with the same
  /// thread count the run then gives bit for bit what an uninterrupted one gives. Throws
  /// dop::InputError when the file is unreadable or not a checkpoint, dop::UsageError
  /// naming the first setting that differs (or the observation) when it belongs to
  /// another run.
  std::vector<Progress> load_checkpoint(const std::filesystem::path& path,
                                        ConvergenceState* stop = nullptr);

  /// Internals, for tests and research tools.
  SkipNet& network() { return net_; }
  SparseNoise& sparse() { return sparse_; }
  /// The fixed input z (1 × input_channels × padded H × padded W, on the device).
  const at::Tensor& input() const { return z_; }
  /// The padded observation (1 × C × padded H × padded W, on the device).
  const at::Tensor& target() const { return y_; }

 private:
  TrainOptions options_;
  c10::Device device_;
  int64_t height_;
  int64_t width_;
  int64_t iteration_ = 0;
  double lr_;
  double alpha_;
  SkipNet net_{nullptr};
  SparseNoise sparse_{nullptr};
  std::vector<at::Tensor> net_params_;
  std::vector<at::Tensor> all_params_;  // DOP: network parameters, then g and h
  at::Tensor y_;
  at::Tensor z_;
  at::Tensor jitter_;
  at::Generator jitter_generator_;
  at::Tensor last_output_;
  at::Tensor average_;  // output_average > 0: Σ (1 − β) β^(t−k) output_k, not yet corrected
  std::unique_ptr<torch::optim::Adam> adam_;

  // (name, value) of every setting a resumed run must share with its checkpoint.
  std::vector<std::pair<std::string, std::string>> fingerprint() const;
};

/// How restore() runs and reports.
struct RunOptions {
  /// Device the model lives on.
  c10::Device device = c10::kCPU;
  /// Optional clean image (C×H×W, like the observation) for PSNR in the history.
  at::Tensor clean;
  /// A history sample every this many iterations (and at the last), ≥ 1.
  int64_t log_every = 100;
  /// Called after every step whose loss was read (every step on the CPU, every
  /// few on a GPU) and for each history sample. May be empty.
  std::function<void(const Progress&)> on_progress;
  /// Checkpoint file (empty = none). When it exists at the start, the run continues from
  /// it (Trainer::load_checkpoint); it is written every `checkpoint_every` iterations and
  /// when the run is stopped. restore() never removes it: the caller does, once the
  /// result is safely stored.
  std::filesystem::path checkpoint;
  /// Iterations between checkpoints, ≥ 0 (0 = only when stopped).
  int64_t checkpoint_every = 0;
  /// Asked after every step: 0 = go on; a signal number = stop now, write the checkpoint
  /// (if there is one) and throw dop::Interrupted carrying that number. May be empty.
  std::function<int()> stop_requested;
  /// Stop once this many seconds of training have passed (0 = no limit) and return the
  /// output of the last step done: DOP's output improves until it settles, so the latest
  /// is the best the budget allows. ≥ 0.
  double time_budget = 0.0;
  /// Stop early once the output has stopped changing (ConvergenceStop::enabled).
  ConvergenceStop convergence;
};

/// Why restore() ended.
enum class StopReason {
  kIterations,  ///< all TrainOptions::iterations done
  kConverged,   ///< the output stopped changing (ConvergenceStop)
  kSettled,     ///< the composed result was still from the start (ConvergenceStop::settle)
  kTimeBudget,  ///< RunOptions::time_budget spent
};
/// "iterations", "converged", "settled", "time budget".
std::string to_string(StopReason reason);

/// What restore() returns.
struct Restoration {
  /// The restored image, C×H×W in [0, 1], CPU: network_output composed with the
  /// observation (TrainOptions::compose), or network_output itself when that is off.
  at::Tensor image;
  /// The network output f: Trainer::output() after the last step, C×H×W in [0, 1], CPU.
  at::Tensor network_output;
  /// The estimated corruption g⊙g − h⊙h, C×H×W, CPU (zeros for DIP and DIP-L1).
  at::Tensor corruption;
  /// Learning curve, one sample every RunOptions::log_every iterations and the last.
  std::vector<Progress> history;
  int64_t iterations = 0;
  int64_t parameters = 0;
  /// The step τ in effect (see TrainOptions::lr).
  double lr = 0.0;
  /// The α in effect (DOP; see TrainOptions::alpha).
  double alpha = 0.0;
  /// Wall-clock seconds of this run (after a resume: since the resume).
  double seconds = 0.0;
  /// The iteration the run continued from (0 = it started afresh).
  int64_t resumed_from = 0;
  /// Why the run ended.
  StopReason stop_reason = StopReason::kIterations;
  /// Whether image is a composition (TrainOptions::compose with DOP) rather than
  /// network_output itself.
  bool composed = false;
  /// With composition: the fraction of the samples found damaged and the dense noise level
  /// found on the intact ones (Composition); NaN without.
  double damaged_fraction = std::numeric_limits<double>::quiet_NaN();
  double noise_level = std::numeric_limits<double>::quiet_NaN();
  /// With composition: w, the probability that each sample was found damaged and replaced
  /// by the fill (Composition::weight), C×H×W in [0, 1], CPU; undefined without.
  at::Tensor damage;
};

/// Sets image (and the composition's statistics) of a result whose network_output and
/// corruption are set, for the observation it was fitted to, as `options` say
/// (TrainOptions::compose; DOP only: the baselines have no sparse estimate).
/// `made`, when given, is that composition already made (of exactly these network_output
/// and corruption), so that it is not made twice.
void finish_result(Restoration& result, const at::Tensor& observed, const TrainOptions& options,
                   const Composition* made = nullptr);

/// Runs all iterations of a Trainer (continuing from RunOptions::checkpoint when it
/// exists) and returns the result. Throws dop::RuntimeError when the loss becomes
/// non-finite (the message says at which iteration), dop::Interrupted when stopped.
Restoration restore(const at::Tensor& observed, const TrainOptions& options,
                    const RunOptions& run = {});

}  // namespace dop
