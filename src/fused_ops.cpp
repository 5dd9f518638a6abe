#include "dop/fused_ops.hpp"

#include <algorithm>
#include <cmath>

#include <ATen/Functions.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

namespace dop {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

constexpr int64_t kSmallPadPixels = 32 * 32;

class ReflectPad1 : public torch::autograd::Function<ReflectPad1> {
 public:
  static at::Tensor forward(AutogradContext* /*ctx*/, const at::Tensor& x) {
    const int64_t h = x.size(2);
    const int64_t w = x.size(3);
    at::Tensor out = at::empty({x.size(0), x.size(1), h + 2, w + 2}, x.options());
    out.narrow(2, 1, h).narrow(3, 1, w).copy_(x);
    out.select(2, 0).narrow(2, 1, w).copy_(x.select(2, 1));
    out.select(2, h + 1).narrow(2, 1, w).copy_(x.select(2, h - 2));
    out.select(3, 0).copy_(out.select(3, 2));
    out.select(3, w + 1).copy_(out.select(3, w - 1));
    return out;
  }

  static tensor_list backward(AutogradContext* /*ctx*/, tensor_list grads) {
    const at::Tensor& g = grads[0];
    if (!g.defined()) return {at::Tensor()};
    const int64_t h = g.size(2) - 2;
    const int64_t w = g.size(3) - 2;
    // Padded (i, j) came from (r(i), r(j)) with r(0) = 1, r(k) = k - 1, r(h + 1) = h - 2:
    // the interior, plus each border strip and corner added where it was copied from.
    at::Tensor gx = g.narrow(2, 1, h).narrow(3, 1, w).clone(at::MemoryFormat::Contiguous);
    const at::Tensor rows = g.narrow(3, 1, w);
    gx.select(2, 1).add_(rows.select(2, 0));
    gx.select(2, h - 2).add_(rows.select(2, h + 1));
    const at::Tensor cols = g.narrow(2, 1, h);
    gx.select(3, 1).add_(cols.select(3, 0));
    gx.select(3, w - 2).add_(cols.select(3, w + 1));
    for (const auto& [i, a] : {std::pair<int64_t, int64_t>{0, 1}, {h + 1, h - 2}}) {
      for (const auto& [j, b] : {std::pair<int64_t, int64_t>{0, 1}, {w + 1, w - 2}}) {
        gx.select(2, a).select(2, b).add_(g.select(2, i).select(2, j));
      }
    }
    return {gx};
  }
};

// Sums term(i) for i in [0, n) in double, through float partial sums over blocks of kLanes
// independent lanes, a loop shape the compiler vectorises.
constexpr int64_t kLanes = 8;
constexpr int64_t kBlock = 4096;

template <typename Term>
double sum(int64_t n, Term term) {
  double total = 0.0;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = std::min(n, start + kBlock);
    float lane[kLanes] = {};
    int64_t i = start;
    for (; i + kLanes <= end; i += kLanes) {
      for (int64_t k = 0; k < kLanes; ++k) lane[k] += term(i + k);
    }
    for (; i < end; ++i) lane[0] += term(i);
    for (float v : lane) total += v;
  }
  return total;
}

// LeakyReLU without a branch (the sign is random: a branch mispredicts half the time).
inline float leaky(float v, float slope) { return std::max(v, 0.0f) + slope * std::min(v, 0.0f); }

// LeakyReLU's derivative at v: 1 where v > 0, else the slope.
inline float slope_factor(float v, float slope) { return v > 0.0f ? 1.0f : slope; }

// x as N×C×L: channel c is the N runs of L floats at (n·C + c)·L.
struct Layout {
  int64_t n;
  int64_t c;
  int64_t l;
  explicit Layout(const at::Tensor& t) : n(t.size(0)), c(t.size(1)), l(t.numel() / (n * c)) {}
  int64_t offset(int64_t image, int64_t channel) const { return (image * c + channel) * l; }
  double count() const { return static_cast<double>(n * l); }
};

class BatchNormLeakyReLU : public torch::autograd::Function<BatchNormLeakyReLU> {
 public:
  // Returns the output; saves x, weight, bias and each channel's mean and 1/std.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& weight,
                            const at::Tensor& bias, const at::Tensor& running_mean,
                            const at::Tensor& running_var, double momentum, double eps,
                            double slope) {
    const at::Tensor x = input.contiguous();
    const Layout shape(x);
    at::Tensor y = at::empty_like(x, at::MemoryFormat::Contiguous);
    at::Tensor mean = at::empty({shape.c}, x.options());
    at::Tensor invstd = at::empty({shape.c}, x.options());
    at::Tensor unbiased = at::empty({shape.c}, x.options());
    const at::Tensor w = weight.contiguous();
    const at::Tensor b = bias.contiguous();
    const float* xp = x.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    const float* wp = w.data_ptr<float>();
    const float* bp = b.data_ptr<float>();
    float* mp = mean.data_ptr<float>();
    float* ip = invstd.data_ptr<float>();
    float* up = unbiased.data_ptr<float>();
    const auto s = static_cast<float>(slope);
    at::parallel_for(0, shape.c, 1, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        double total = 0.0;
        for (int64_t n = 0; n < shape.n; ++n) {
          const float* p = xp + shape.offset(n, c);
          total += sum(shape.l, [p](int64_t i) { return p[i]; });
        }
        const double mu = total / shape.count();
        const auto m = static_cast<float>(mu);
        double squares = 0.0;  // second pass: the channel is still in cache
        for (int64_t n = 0; n < shape.n; ++n) {
          const float* p = xp + shape.offset(n, c);
          squares += sum(shape.l, [p, m](int64_t i) { return (p[i] - m) * (p[i] - m); });
        }
        const double var = squares / shape.count();
        const double inv = 1.0 / std::sqrt(var + eps);
        const auto scale = static_cast<float>(wp[c] * inv);
        const auto shift = static_cast<float>(bp[c] - mu * wp[c] * inv);
        for (int64_t n = 0; n < shape.n; ++n) {
          const float* __restrict p = xp + shape.offset(n, c);
          float* __restrict q = yp + shape.offset(n, c);
          for (int64_t i = 0; i < shape.l; ++i) q[i] = leaky(scale * p[i] + shift, s);
        }
        mp[c] = m;
        ip[c] = static_cast<float>(inv);
        up[c] = static_cast<float>(shape.count() > 1 ? squares / (shape.count() - 1) : var);
      }
    });
    // (Empty tensors stand for "no running statistics": apply() cannot take undefined ones.)
    if (running_mean.numel() > 0) running_mean.mul_(1.0 - momentum).add_(mean, momentum);
    if (running_var.numel() > 0) running_var.mul_(1.0 - momentum).add_(unbiased, momentum);
    ctx->save_for_backward({x, w, b, mean, invstd});
    ctx->saved_data["slope"] = slope;
    return y;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const float* xp = x.data_ptr<float>();
    const float* wp = saved[1].data_ptr<float>();
    const float* bp = saved[2].data_ptr<float>();
    const float* mp = saved[3].data_ptr<float>();
    const float* ip = saved[4].data_ptr<float>();
    const auto s = static_cast<float>(ctx->saved_data["slope"].toDouble());
    const Layout shape(x);
    if (!grads[0].defined()) return {at::Tensor(), at::Tensor(), at::Tensor(), {}, {}, {}, {}, {}};
    const at::Tensor g = grads[0].contiguous();
    const float* gp = g.data_ptr<float>();
    const bool want_x = ctx->needs_input_grad(0);
    at::Tensor dx = want_x ? at::empty_like(x) : at::Tensor();
    at::Tensor dw = at::empty({shape.c}, x.options());
    at::Tensor db = at::empty({shape.c}, x.options());
    float* dxp = want_x ? dx.data_ptr<float>() : nullptr;
    float* dwp = dw.data_ptr<float>();
    float* dbp = db.data_ptr<float>();
    at::parallel_for(0, shape.c, 1, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        const float m = mp[c];
        const float inv = ip[c];
        const auto scale = static_cast<float>(static_cast<double>(wp[c]) * inv);
        const auto shift = static_cast<float>(bp[c] - static_cast<double>(m) * wp[c] * inv);
        // The gradient reaching the BatchNorm output is the incoming one times the
        // LeakyReLU's slope at the pre-activation, recomputed as in forward.
        double sum_g = 0.0;
        double sum_gx = 0.0;
        for (int64_t n = 0; n < shape.n; ++n) {
          const float* __restrict p = xp + shape.offset(n, c);
          const float* __restrict q = gp + shape.offset(n, c);
          sum_g +=
              sum(shape.l, [=](int64_t i) { return q[i] * slope_factor(scale * p[i] + shift, s); });
          sum_gx += sum(shape.l, [=](int64_t i) {
            return q[i] * slope_factor(scale * p[i] + shift, s) * (p[i] - m);
          });
        }
        dbp[c] = static_cast<float>(sum_g);
        dwp[c] = static_cast<float>(sum_gx * inv);
        if (!want_x) continue;
        // dx = w·inv·(t − mean(t) − x̂·mean(t·x̂)), t the gradient through the activation.
        const double k = static_cast<double>(wp[c]) * inv;
        const auto a = static_cast<float>(k);
        const auto c1 = static_cast<float>(-k * inv * inv * sum_gx / shape.count());
        const auto c0 =
            static_cast<float>(-k * sum_g / shape.count() - c1 * static_cast<double>(m));
        for (int64_t n = 0; n < shape.n; ++n) {
          const float* __restrict p = xp + shape.offset(n, c);
          const float* __restrict q = gp + shape.offset(n, c);
          float* __restrict r = dxp + shape.offset(n, c);
          for (int64_t i = 0; i < shape.l; ++i) {
            r[i] = a * q[i] * slope_factor(scale * p[i] + shift, s) + c1 * p[i] + c0;
          }
        }
      }
    });
    return {dx, dw, db, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor reflect_pad1(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 4 && x.size(2) >= 2 && x.size(3) >= 2,
              "reflect_pad1 needs N x C x H x W with H, W >= 2, got ", x.sizes());
  // Below 32×32 the copies' fixed cost per call is more than reflection_pad2d takes.
  if (x.size(2) * x.size(3) < kSmallPadPixels) return at::reflection_pad2d(x, {1, 1, 1, 1});
  return ReflectPad1::apply(x);
}

at::Tensor batch_norm_leaky_relu(const at::Tensor& x, const at::Tensor& weight,
                                 const at::Tensor& bias, const at::Tensor& running_mean,
                                 const at::Tensor& running_var, double momentum, double eps,
                                 double slope) {
  const bool fused = x.device().is_cpu() && x.scalar_type() == at::kFloat && x.dim() >= 2 &&
                     x.numel() > 0 && weight.defined() && bias.defined() &&
                     weight.scalar_type() == at::kFloat && bias.scalar_type() == at::kFloat &&
                     slope >= 0.0;
  if (!fused) {
    at::Tensor y = at::batch_norm(x, weight, bias, running_mean, running_var, /*training=*/true,
                                  momentum, eps, /*cudnn_enabled=*/true);
    return at::leaky_relu_(y, slope);
  }
  auto or_empty = [&x](const at::Tensor& t) {
    return t.defined() ? t : at::empty({0}, x.options());
  };
  return BatchNormLeakyReLU::apply(x, weight, bias, or_empty(running_mean), or_empty(running_var),
                                   momentum, eps, slope);
}

}  // namespace dop
