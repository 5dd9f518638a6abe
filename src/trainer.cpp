// The model and its training step (docs/algorithm.md §1): the U-Net f(θ; z) plus the
// sparse term g⊙g − h⊙h, fitted to y by
//
//   L(θ, g, h) = mean((y − f(θ; z) − (g⊙g − h⊙h))²)
//   θ ← θ − τ∇θL,   g, h ← g, h − α·τ∇g,hL
//
// (Trainer::step), or the DIP baselines (f alone, MSE or L1 loss, Adam).
#include "dop/trainer.hpp"

#include <cmath>
#include <mutex>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/optim/adam.h>
#include <torch/version.h>

#include "dop/error.hpp"
#include "dop/padding.hpp"
#include "named.hpp"
#include "require.hpp"

namespace dop {
namespace {

using detail::require;

// The network's initialisation draws from LibTorch's global generator; trainers built at
// the same time in several threads take turns, so each gets exactly its seed's draws.
std::mutex& global_rng_mutex() {
  static std::mutex m;
  return m;
}

// Autocast's switch and type for the CPU or CUDA. LibTorch 2.4 replaced the per-device
// functions with ones taking the device type.
struct AutocastState {
  bool enabled;
  at::ScalarType dtype;
};

AutocastState autocast_state(bool cuda) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  const c10::DeviceType type = cuda ? c10::kCUDA : c10::kCPU;
  return {at::autocast::is_autocast_enabled(type), at::autocast::get_autocast_dtype(type)};
#else
  return cuda ? AutocastState{at::autocast::is_enabled(), at::autocast::get_autocast_gpu_dtype()}
              : AutocastState{at::autocast::is_cpu_enabled(),
                              at::autocast::get_autocast_cpu_dtype()};
#endif
}

void set_autocast(bool cuda, const AutocastState& state) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  const c10::DeviceType type = cuda ? c10::kCUDA : c10::kCPU;
  at::autocast::set_autocast_dtype(type, state.dtype);
  at::autocast::set_autocast_enabled(type, state.enabled);
#else
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(state.dtype);
    at::autocast::set_enabled(state.enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(state.dtype);
    at::autocast::set_cpu_enabled(state.enabled);
  }
#endif
}

// The network's forward pass under bfloat16 autocast on `device` while it lives (when `on`),
// restoring what was set before.
class BFloat16Autocast {
 public:
  BFloat16Autocast(c10::Device device, bool on) : cuda_(device.is_cuda()), on_(on) {
    if (!on_) return;
    before_ = autocast_state(cuda_);
    set_autocast(cuda_, {true, at::kBFloat16});
    at::autocast::increment_nesting();
  }
  ~BFloat16Autocast() {
    if (!on_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    set_autocast(cuda_, before_);
  }
  BFloat16Autocast(const BFloat16Autocast&) = delete;
  BFloat16Autocast& operator=(const BFloat16Autocast&) = delete;

 private:
  bool cuda_;
  bool on_;
  AutocastState before_{false, at::kFloat};
};

// The process-wide CUDA settings a run asks for (Precision, cudnn_benchmark).
void configure_cuda_math(const TrainOptions& options) {
  at::Context& context = at::globalContext();
  context.setBenchmarkCuDNN(options.cudnn_benchmark);
  if (options.precision == Precision::kFloat32 || options.precision == Precision::kTF32) {
    const bool tf32 = options.precision == Precision::kTF32;
    context.setAllowTF32CuDNN(tf32);
    context.setAllowTF32CuBLAS(tf32);
  }
}

}  // namespace

std::string to_string(Precision precision) {
  switch (precision) {
    case Precision::kDefault:
      return "default";
    case Precision::kFloat32:
      return "float32";
    case Precision::kTF32:
      return "tf32";
    case Precision::kBFloat16:
      return "bf16";
  }
  return "?";
}

Precision parse_precision(const std::string& name) {
  return detail::parse_named(
      name, {Precision::kDefault, Precision::kFloat32, Precision::kTF32, Precision::kBFloat16},
      "precision");
}

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
  return detail::parse_named(name, {Method::kDop, Method::kDip, Method::kDipL1}, "method");
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

  if (device_.is_cuda()) configure_cuda_math(options_);
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
  at::Tensor x;
  {
    const BFloat16Autocast autocast(device_, options_.precision == Precision::kBFloat16);
    x = net_->forward(in);
  }
  if (x.scalar_type() != at::kFloat) x = x.to(at::kFloat);  // the loss in float32
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

}  // namespace dop
