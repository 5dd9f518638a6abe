#include "dop/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <initializer_list>
#include <mutex>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>

#include "dop/atomic_file.hpp"
#include "dop/error.hpp"
#include "dop/metrics.hpp"
#include "dop/padding.hpp"
#include "require.hpp"

namespace dop {
namespace {

using detail::require;

// The paper's network step, and the least automatic one.
constexpr double kDopLr = 1.0;
constexpr double kAdamLr = 0.01;
// fast and balanced: the paper's g,h start and the automatic τ and α (both follow the image
// size), with a narrower network and at most 2,200 iterations, the last 200 already on steps
// decaying as 2000/(t(1 + ln(t/2000))). Decaying that way rather than as 2000/t keeps a 3x
// longer run from fitting the noise as far; the 200 iterations more let a run on heavy noise
// converge further before the preset ends. Together they keep a 3x longer run of balanced
// within 0.3 dB of its result on every bench case (docs/results/speed/step).
constexpr int64_t kBalancedWidth = 48;
constexpr int64_t kFastWidth = 32;
constexpr int64_t kPresetIterations = 2200;
constexpr int64_t kPresetDecayStart = 2000;
constexpr double kPresetOutputAverage = 0.95;
// On a GPU, reading the loss stalls the queue; read it every this many steps there.
constexpr int64_t kGpuLossReadEvery = 16;

// The network's initialisation draws from LibTorch's global generator; trainers built at
// the same time in several threads take turns, so each gets exactly its seed's draws.
std::mutex& global_rng_mutex() {
  static std::mutex m;
  return m;
}

constexpr const char* kCheckpointFormat = "dop-restore checkpoint v1";
constexpr int64_t kHistoryFields = 5;  // iteration, iterations, loss, seconds, psnr

std::string exact(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

// FNV-1a over the bytes of a CPU tensor: tells a checkpoint's observation from another.
std::string checksum(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU).contiguous();
  const auto* bytes = static_cast<const unsigned char*>(c.data_ptr());
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0, n = c.numel() * c.element_size(); i < n; ++i) {
    h = (h ^ bytes[i]) * 1099511628211ull;
  }
  std::ostringstream s;
  s << std::hex << h;
  return s.str();
}

std::string settings_text(const std::vector<std::pair<std::string, std::string>>& settings) {
  std::string text;
  for (const auto& [name, value] : settings) text += name + "=" + value + "\n";
  return text;
}

// DOP's automatic network step τ for size factor s.
double auto_dop_lr(double s) { return std::max(kDopLr, kAutoLr * s); }

// The value of E named `name` (by to_string), or a UsageError listing the choices
// ("unknown method 'x': use dop, dip or dip-l1").
template <typename E>
E parse_named(const std::string& name, std::initializer_list<E> all, const char* what) {
  std::string choices;
  size_t i = 0;
  for (E e : all) {
    if (to_string(e) == name) return e;
    choices += (i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + to_string(e);
    ++i;
  }
  throw UsageError(std::string("unknown ") + what + " '" + name + "': use " + choices);
}

}  // namespace

std::string to_string(Method method) {
  switch (method) {
    case Method::kDop:
      return "dop";
    case Method::kDip:
      return "dip";
    case Method::kDipL1:
      return "dip-l1";
  }
  return "?";
}

Method parse_method(const std::string& name) {
  return parse_named(name, {Method::kDop, Method::kDip, Method::kDipL1}, "method");
}

std::string to_string(Preset preset) {
  switch (preset) {
    case Preset::kFast:
      return "fast";
    case Preset::kBalanced:
      return "balanced";
    case Preset::kPaper:
      return "paper";
  }
  return "?";
}

Preset parse_preset(const std::string& name) {
  return parse_named(name, {Preset::kFast, Preset::kBalanced, Preset::kPaper}, "preset");
}

TrainOptions preset_options(Preset preset) {
  TrainOptions o;
  switch (preset) {
    case Preset::kPaper:
      o.iterations = 150000;
      o.network.width = 128;
      o.lr = kDopLr;
      o.alpha = 500.0;
      o.sparse_init_scale = 1e-5;
      break;
    case Preset::kBalanced:
    case Preset::kFast:
      o.iterations = kPresetIterations;
      o.network.width = preset == Preset::kFast ? kFastWidth : kBalancedWidth;
      o.lr_decay_start = kPresetDecayStart;
      o.lr_decay = StepDecay::kInverseLog;
      o.output_average = kPresetOutputAverage;
      o.compose = ComposeMode::kAuto;
      break;
  }
  return o;
}

bool preset_stops_when_converged(Preset preset) { return preset != Preset::kPaper; }

std::string to_string(StopReason reason) {
  switch (reason) {
    case StopReason::kIterations:
      return "iterations";
    case StopReason::kConverged:
      return "converged";
    case StopReason::kTimeBudget:
      return "time budget";
  }
  return "?";
}

std::string to_string(StepDecay decay) {
  switch (decay) {
    case StepDecay::kInverse:
      return "inverse";
    case StepDecay::kInverseLog:
      return "inverse-log";
  }
  return "?";
}

StepDecay parse_step_decay(const std::string& name) {
  return parse_named(name, {StepDecay::kInverse, StepDecay::kInverseLog}, "step decay");
}

double step_decay_factor(int64_t t, int64_t start, StepDecay decay) {
  if (start <= 0 || t <= start) return 1.0;
  const double r = static_cast<double>(t) / static_cast<double>(start);
  return decay == StepDecay::kInverse ? 1.0 / r : 1.0 / (r * (1.0 + std::log(r)));
}

double size_factor(int64_t elements) {
  return std::sqrt(static_cast<double>(std::max<int64_t>(elements, 1)) / kAutoSizeElements);
}

double TrainOptions::effective_lr(int64_t elements) const {
  if (lr > 0.0) return lr;
  return method == Method::kDop ? auto_dop_lr(size_factor(elements)) : kAdamLr;
}

double TrainOptions::effective_alpha(int64_t elements) const {
  if (alpha > 0.0) return alpha;
  // α·τ, the g, h step: the larger of the two rules, each measured where it wins
  // (docs/results/speed/step). The automatic α goes with the automatic τ; with an explicit
  // τ the α is still the one that rule would use.
  const double s = size_factor(elements);
  return std::max(kAutoSmallSparseStep * s, kAutoAlpha * kAutoLr * s * s) / auto_dop_lr(s);
}

void TrainOptions::validate() const {
  require(iterations >= 1, "iterations", iterations, ">= 1");
  require(lr_decay_start >= 0, "lr decay start", lr_decay_start, ">= 0");
  require(lr >= 0.0 && std::isfinite(lr), "lr", lr, "> 0, or 0 for the method's default");
  require(alpha >= 0.0 && std::isfinite(alpha), "alpha", alpha, "> 0, or 0 for automatic");
  require(lr * alpha < 1e30, "lr x alpha", lr * alpha, "< 1e30");
  require(sparse_init_scale >= 0.0 && std::isfinite(sparse_init_scale), "sparse init scale",
          sparse_init_scale, ">= 0");
  require(input_scale > 0.0 && std::isfinite(input_scale), "input scale", input_scale, "> 0");
  require(input_jitter >= 0.0 && std::isfinite(input_jitter), "input jitter", input_jitter, ">= 0");
  require(output_average >= 0.0 && output_average < 1.0, "output average", output_average,
          "0 <= beta < 1");
  network.validate();
}

Trainer::Trainer(const at::Tensor& observed, const TrainOptions& options, c10::Device device)
    : options_(options),
      device_(device),
      height_(0),
      width_(0),
      lr_(options.effective_lr(observed.numel())),
      alpha_(options.effective_alpha(observed.numel())) {
  options_.validate();
  if (observed.dim() != 3 || observed.size(0) < 1 || observed.size(1) < 1 || observed.size(2) < 1) {
    std::ostringstream msg;
    msg << "the observed image must be a non-empty C×H×W tensor, got shape " << observed.sizes();
    throw UsageError(msg.str());
  }
  height_ = observed.size(1);
  width_ = observed.size(2);
  options_.network.output_channels = observed.size(0);

  const SkipNetOptions& shape = options_.network;
  y_ = pad_reflect(observed.detach().to(at::kCPU, at::kFloat), shape.size_multiple(),
                   shape.minimum_size())
           .unsqueeze(0);
  {
    std::lock_guard<std::mutex> lock(global_rng_mutex());
    torch::manual_seed(options_.seed);
    net_ = SkipNet(shape);
    z_ = torch::rand({1, shape.input_channels, y_.size(2), y_.size(3)}) * options_.input_scale;
    if (options_.method == Method::kDop)
      sparse_ = SparseNoise(y_.sizes(), options_.sparse_init_scale);
  }
  // The per-step input jitter has a generator of its own on the CPU (independent of other
  // trainers and threads); on a GPU it is the device's default one, seeded above.
  jitter_generator_ = at::make_generator<at::CPUGeneratorImpl>(options_.seed);

  net_->to(device_);
  y_ = y_.to(device_);
  z_ = z_.to(device_);
  jitter_ = torch::empty_like(z_);
  net_params_ = net_->parameters();
  if (sparse_) {
    sparse_->to(device_);
    all_params_ = net_params_;
    all_params_.push_back(sparse_->g());
    all_params_.push_back(sparse_->h());
  } else {
    adam_ = std::make_unique<torch::optim::Adam>(net_params_, torch::optim::AdamOptions(lr_));
  }
}

Trainer::~Trainer() = default;

at::Tensor Trainer::step() {
  at::Tensor in = z_;
  if (options_.input_jitter > 0.0) {
    c10::optional<at::Generator> gen;
    if (device_.is_cpu()) gen = jitter_generator_;
    in = z_ + jitter_.normal_(0.0, options_.input_jitter, gen);
  }
  const at::Tensor x = net_->forward(in);
  at::Tensor loss;
  if (sparse_) {
    loss = torch::mse_loss(x + sparse_->forward(), y_);
    // Plain gradient descent with discrepant steps: θ ← θ − τ∇θL, g,h ← g,h − ατ∇g,hL.
    std::vector<at::Tensor>& params = all_params_;
    const auto grads = torch::autograd::grad({loss}, params);
    torch::NoGradGuard no_grad;
    const size_t n = net_params_.size();
    const int64_t t = iteration_ + 1;
    const double lr = lr_ * step_decay_factor(t, options_.lr_decay_start, options_.lr_decay);
    for (size_t i = 0; i < n; ++i) params[i].sub_(grads[i], lr);
    params[n].sub_(grads[n], alpha_ * lr);
    params[n + 1].sub_(grads[n + 1], alpha_ * lr);
  } else {
    loss = options_.method == Method::kDipL1 ? torch::l1_loss(x, y_) : torch::mse_loss(x, y_);
    adam_->zero_grad();
    loss.backward();
    adam_->step();
  }
  last_output_ = x.detach();
  if (options_.output_average > 0.0) {
    torch::NoGradGuard no_grad;
    if (!average_.defined()) average_ = torch::zeros_like(last_output_);
    average_.mul_(options_.output_average).add_(last_output_, 1.0 - options_.output_average);
  }
  ++iteration_;
  return loss.detach();
}

at::Tensor Trainer::output() {
  at::Tensor x = last_output_;
  if (average_.defined() && iteration_ > 0) {
    x = average_ / (1.0 - std::pow(options_.output_average, static_cast<double>(iteration_)));
  }
  if (!x.defined()) {
    torch::NoGradGuard no_grad;
    x = net_->forward(z_);
  }
  return crop(x[0], height_, width_).clamp(0.0, 1.0).to(at::kCPU).contiguous();
}

at::Tensor Trainer::corruption() {
  if (!sparse_) return torch::zeros({y_.size(1), height_, width_});
  torch::NoGradGuard no_grad;
  return crop(sparse_->forward()[0], height_, width_).to(at::kCPU).contiguous();
}

int64_t Trainer::parameter_count() const {
  int64_t n = net_->parameter_count();
  if (sparse_) n += 2 * y_.numel();
  return n;
}

std::vector<std::pair<std::string, std::string>> Trainer::fingerprint() const {
  const SkipNetOptions& n = options_.network;
  std::vector<std::pair<std::string, std::string>> settings{
      {"method", to_string(options_.method)},
      {"iterations", std::to_string(options_.iterations)},
      {"lr", exact(lr_)},
      {"alpha", exact(alpha_)},
      {"init scale", exact(options_.sparse_init_scale)},
      {"input scale", exact(options_.input_scale)},
      {"jitter", exact(options_.input_jitter)},
      {"seed", std::to_string(options_.seed)},
      {"width", std::to_string(n.width)},
      {"scales", std::to_string(n.scales)},
      {"skip channels", std::to_string(n.skip_channels)},
      {"input channels", std::to_string(n.input_channels)},
      {"upsampling", n.upsampling == Upsampling::kNearest ? "nearest" : "bilinear"},
      {"image size",
       std::to_string(y_.size(1)) + "x" + std::to_string(height_) + "x" + std::to_string(width_)},
      {"image checksum", checksum(y_)}};
  // Only when used, so that checkpoints from before the setting existed still resume.
  if (options_.output_average > 0.0) {
    settings.emplace_back("output average", exact(options_.output_average));
  }
  if (options_.lr_decay_start > 0) {
    settings.emplace_back("lr decay start", std::to_string(options_.lr_decay_start));
    // Checkpoints from before the form could be chosen decayed as S/t and carry no entry.
    if (options_.lr_decay != StepDecay::kInverse) {
      settings.emplace_back("lr decay", to_string(options_.lr_decay));
    }
  }
  return settings;
}

void Trainer::save_checkpoint(const std::filesystem::path& path,
                              const std::vector<Progress>& history) const {
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(kCheckpointFormat)));
  archive.write("settings", c10::IValue(settings_text(fingerprint())));
  archive.write("iteration", c10::IValue(iteration_));
  torch::serialize::OutputArchive net;
  net_->save(net);
  archive.write("network", net);
  if (sparse_) {
    torch::serialize::OutputArchive sparse;
    sparse_->save(sparse);
    archive.write("sparse", sparse);
  }
  if (adam_) {
    torch::serialize::OutputArchive adam;
    adam_->save(adam);
    archive.write("adam", adam);
  }
  if (average_.defined()) archive.write("average", average_, /*is_buffer=*/true);
  archive.write("jitter_rng", jitter_generator_.get_state(), /*is_buffer=*/true);
  if (device_.is_cuda()) {
    archive.write("device_rng", at::globalContext().defaultGenerator(device_).get_state(), true);
  }
  at::Tensor h = torch::empty({static_cast<int64_t>(history.size()), kHistoryFields}, at::kDouble);
  auto a = h.accessor<double, 2>();
  for (size_t i = 0; i < history.size(); ++i) {
    const auto& p = history[i];
    const double row[kHistoryFields] = {static_cast<double>(p.iteration),
                                        static_cast<double>(p.iterations), p.loss, p.seconds,
                                        p.psnr};
    for (int64_t j = 0; j < kHistoryFields; ++j) a[static_cast<int64_t>(i)][j] = row[j];
  }
  archive.write("history", h, true);
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomically(path, bytes.str(), /*overwrite=*/true);
}

std::vector<Progress> Trainer::load_checkpoint(const std::filesystem::path& path) {
  const std::string name = "checkpoint '" + path.string() + "'";
  torch::serialize::InputArchive archive;
  c10::IValue value;
  try {
    archive.load_from(path.string(), device_);
    archive.read("format", value);
  } catch (const c10::Error&) {
    throw InputError(name +
                     " is unreadable or not a dop-restore checkpoint; delete it to start "
                     "over");
  }
  if (!value.isString() || value.toStringRef() != kCheckpointFormat) {
    throw InputError(name + " is not a " + std::string(kCheckpointFormat) + " file");
  }
  archive.read("settings", value);
  const std::string saved = value.toStringRef();
  for (const auto& [key, mine] : fingerprint()) {
    const std::string prefix = key + "=";
    const auto at = saved.find("\n" + prefix) != std::string::npos
                        ? saved.find("\n" + prefix) + 1
                        : (saved.rfind(prefix, 0) == 0 ? 0 : std::string::npos);
    const std::string theirs =
        at == std::string::npos
            ? "(none)"
            : saved.substr(at + prefix.size(), saved.find('\n', at) - at - prefix.size());
    if (theirs != mine) {
      throw UsageError(name + " was made with " + key + " " + theirs + ", this run has " + mine +
                       ": rerun with the checkpoint's settings, or delete it to start over");
    }
  }
  try {
    archive.read("iteration", value);
    torch::serialize::InputArchive net;
    archive.read("network", net);
    net_->load(net);
    if (sparse_) {
      torch::serialize::InputArchive sparse;
      archive.read("sparse", sparse);
      sparse_->load(sparse);
    }
    if (adam_) {
      torch::serialize::InputArchive adam;
      archive.read("adam", adam);
      adam_->load(adam);
    }
    at::Tensor average;  // a fresh tensor: read() into a defined one keeps its type
    average_ = archive.try_read("average", average, true) ? average.to(device_) : at::Tensor();
    at::Tensor state;
    archive.read("jitter_rng", state, true);
    jitter_generator_.set_state(state.cpu());
    at::Tensor device_state;
    if (device_.is_cuda() && archive.try_read("device_rng", device_state, true)) {
      at::Generator device_rng = at::globalContext().defaultGenerator(device_);
      std::lock_guard<std::mutex> lock(device_rng.mutex());
      device_rng.set_state(device_state.cpu());
    }
    at::Tensor curve;  // a fresh tensor: read() into a defined one keeps its type
    archive.read("history", curve, true);
    curve = curve.cpu();
    std::vector<Progress> history;
    auto a = curve.accessor<double, 2>();
    for (int64_t i = 0; i < curve.size(0); ++i) {
      Progress p;
      p.iteration = static_cast<int64_t>(a[i][0]);
      p.iterations = static_cast<int64_t>(a[i][1]);
      p.loss = a[i][2];
      p.seconds = a[i][3];
      p.psnr = a[i][4];
      history.push_back(p);
    }
    iteration_ = value.toInt();
    last_output_ = at::Tensor();
    return history;
  } catch (const c10::Error& e) {
    throw InputError(name + " is damaged (" + std::string(e.what_without_backtrace()) +
                     "); delete it to start over");
  }
}

Restoration restore(const at::Tensor& observed, const TrainOptions& options,
                    const RunOptions& run) {
  if (run.log_every < 1) throw UsageError("log_every must be >= 1");
  if (run.clean.defined() && run.clean.sizes() != observed.sizes()) {
    std::ostringstream msg;
    msg << "the clean image has shape " << run.clean.sizes() << " but the observed one "
        << observed.sizes();
    throw UsageError(msg.str());
  }
  if (run.checkpoint_every < 0) throw UsageError("checkpoint_every must be >= 0");
  if (!(run.time_budget >= 0.0)) throw UsageError("the time budget must be >= 0 seconds");
  const ConvergenceStop& conv = run.convergence;
  if (conv.enabled && (conv.window < 1 || conv.patience < 1 || !(conv.tolerance > 0.0))) {
    throw UsageError("convergence stop: window and patience must be >= 1, tolerance > 0");
  }
  Trainer trainer(observed, options, run.device);
  const at::Tensor y = observed.detach().to(at::kCPU, at::kFloat);
  // The result as the run would return it now, from the network output f.
  auto composed = [&](const at::Tensor& f) {
    return options.effective_compose() == ComposeMode::kOff
               ? f
               : compose(y, f, trainer.corruption()).image;
  };
  Restoration result;
  result.parameters = trainer.parameter_count();
  result.lr = trainer.lr();
  result.alpha = trainer.alpha();
  const bool checkpointing = !run.checkpoint.empty();
  if (checkpointing && std::filesystem::exists(run.checkpoint)) {
    result.history = trainer.load_checkpoint(run.checkpoint);
    result.resumed_from = trainer.iteration();
  }
  const int64_t total = options.iterations;
  const int64_t read_every = run.device.is_cuda() ? kGpuLossReadEvery : 1;
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  // After a resume the clock goes on from the checkpoint's last sample.
  const double offset = result.history.empty() ? 0.0 : result.history.back().seconds;
  double measuring = 0.0;  // seconds spent on PSNR samples, not on training
  // The output `window` iterations ago, its change since then, and for how many windows
  // in a row the change has been below the tolerance.
  const int64_t window = conv.window > 0 ? conv.window : 100;
  at::Tensor previous;
  double change = std::numeric_limits<double>::quiet_NaN();
  int64_t quiet_windows = 0;
  for (int64_t it = trainer.iteration() + 1; it <= total; ++it) {
    const at::Tensor loss = trainer.step();
    bool last = it == total;
    at::Tensor now;  // this step's result, taken at most once (a crop and a copy)
    auto result_now = [&]() -> const at::Tensor& {
      if (!now.defined()) now = trainer.output();
      return now;
    };
    if (it % window == 0) {
      result_now();
      if (previous.defined()) {
        change = (now - previous).square().mean().sqrt().item<double>();
        quiet_windows = change < conv.tolerance ? quiet_windows + 1 : 0;
      }
      previous = now;
      if (conv.enabled && !last && quiet_windows >= conv.patience && it >= conv.min_iterations) {
        last = true;
        result.stop_reason = StopReason::kConverged;
      }
    }
    if (!last && run.time_budget > 0.0 && seconds() >= run.time_budget) {
      last = true;
      result.stop_reason = StopReason::kTimeBudget;
    }
    const bool sample = it == 1 || it % run.log_every == 0 || last;
    const bool checkpoint_now =
        checkpointing && run.checkpoint_every > 0 && it % run.checkpoint_every == 0 && !last;
    const int stop = run.stop_requested ? run.stop_requested() : 0;
    if (sample || checkpoint_now || stop != 0 || it % read_every == 0) {
      Progress p;
      p.iteration = it;
      p.iterations = total;
      p.change = change;
      p.loss = loss.item<double>();
      if (!std::isfinite(p.loss)) {
        std::ostringstream msg;
        msg << "training diverged: the loss became " << p.loss << " at iteration " << it
            << "; lower the step (--lr) or the ratio (--alpha)";
        throw RuntimeError(msg.str());
      }
      if (sample && run.clean.defined()) {
        // The PSNR sample is a measurement, not training: its time (the composition, mostly)
        // is left out of the learning curve's clock.
        const double before = seconds();
        p.psnr = psnr(composed(result_now()), run.clean);
        measuring += seconds() - before;
      }
      p.seconds = offset + seconds() - measuring;
      if (sample) result.history.push_back(p);
      if (run.on_progress) run.on_progress(p);
    }
    if (checkpointing && (checkpoint_now || stop != 0)) {
      trainer.save_checkpoint(run.checkpoint, result.history);
    }
    if (stop != 0) {
      std::ostringstream msg;
      msg << "stopped by signal " << stop << " after iteration " << it << " of " << total;
      if (checkpointing)
        msg << "; rerun the same command to resume from '" << run.checkpoint.string() << "'";
      throw Interrupted(msg.str(), stop);
    }
    if (last) break;
  }
  result.iterations = trainer.iteration();
  result.network_output = trainer.output();
  result.corruption = trainer.corruption();
  finish_result(result, y, options);
  result.seconds = seconds();  // the composition included: it is part of the user's wait
  return result;
}

void finish_result(Restoration& result, const at::Tensor& observed, const TrainOptions& options) {
  result.composed = options.effective_compose() == ComposeMode::kAuto;
  if (!result.composed) {
    result.image = result.network_output;
    return;
  }
  const Composition c =
      compose(observed.detach().to(at::kCPU, at::kFloat), result.network_output, result.corruption);
  result.image = c.image;
  result.damaged_fraction = c.damaged_fraction;
  result.noise_level = c.noise_level;
}

}  // namespace dop
