#include "dop/lowrank.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "dop/error.hpp"
#include "require.hpp"

namespace dop::lowrank {
namespace {

using detail::require;

void require_matrix(const at::Tensor& y) {
  if (y.dim() != 2 || y.size(0) < 1 || y.size(1) < 1) {
    std::ostringstream msg;
    msg << "low-rank recovery needs a non-empty matrix, got shape " << y.sizes();
    throw UsageError(msg.str());
  }
}

void require_square(const at::Tensor& y) {
  if (y.dim() != 2 || y.size(0) != y.size(1) || y.size(0) < 1) {
    std::ostringstream msg;
    msg << "low-rank recovery needs a non-empty square matrix, got shape " << y.sizes();
    throw UsageError(msg.str());
  }
}

at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

double spectral_norm(const at::Tensor& y) { return at::linalg_matrix_norm(y, 2).item<double>(); }

int64_t columns(int64_t rank, int64_t n) {
  require(rank >= 0, "rank r'", rank, ">= 0, 0 = n");
  return rank == 0 ? n : rank;
}

}  // namespace

Problem make_problem(const ProblemOptions& o) {
  require(o.n >= 1, "n", o.n, ">= 1");
  require(o.rank >= 1 && o.rank <= o.n, "rank", o.rank, "1..n");
  require(o.corruption >= 0.0 && o.corruption <= 1.0, "corruption", o.corruption, "[0, 1]");
  require(o.magnitude >= 0.0, "magnitude", o.magnitude, ">= 0");
  require(o.columns >= 0, "columns", o.columns, ">= 0, 0 = square symmetric");
  at::Generator gen = generator(o.seed);
  const auto f64 = at::TensorOptions().dtype(at::kDouble);
  Problem p;
  if (o.columns > 0) {
    // Rectangular: X* = A Bᵀ, corruption pattern and values drawn independently per entry.
    require(o.rank <= o.columns, "rank", o.rank, "1..min(n, columns)");
    const at::Tensor a = at::randn({o.n, o.rank}, gen, f64);
    const at::Tensor b = at::randn({o.columns, o.rank}, gen, f64);
    p.low_rank = a.matmul(b.t());
    const at::Tensor hit = at::rand({o.n, o.columns}, gen, f64) < o.corruption;
    const at::Tensor values = (at::rand({o.n, o.columns}, gen, f64) * 2 - 1) * o.magnitude;
    p.sparse = at::where(hit, values, at::zeros_like(values));
    p.observed = p.low_rank + p.sparse;
    return p;
  }
  const at::Tensor w = at::randn({o.n, o.rank}, gen, f64);
  p.low_rank = w.matmul(w.t());
  // One draw per entry of the upper triangle, mirrored: a symmetric pattern and values.
  at::Tensor hit = at::triu(at::rand({o.n, o.n}, gen, f64) < o.corruption);
  hit = hit | hit.t();
  at::Tensor values = at::triu((at::rand({o.n, o.n}, gen, f64) * 2 - 1) * o.magnitude);
  values = values + at::triu(values, 1).t();
  p.sparse = at::where(hit, values, at::zeros_like(values));
  p.observed = p.low_rank + p.sparse;
  return p;
}

Solution solve_dop(const at::Tensor& y, const DopOptions& o, const Observer& observer,
                   int64_t callback_every) {
  require_matrix(y);
  const int64_t m = y.size(0);
  const int64_t n = y.size(1);
  const bool asymmetric = o.asymmetric || m != n;
  const double side = static_cast<double>(std::max(m, n));
  require(o.rank >= 0, "rank r'", o.rank, ">= 0, 0 = full");
  const int64_t r = o.rank == 0 ? std::min(m, n) : o.rank;
  const double tau = o.step > 0 ? o.step : 0.25 / spectral_norm(y);
  const double alpha = o.alpha > 0 ? o.alpha : std::sqrt(side);
  require(o.step >= 0 && std::isfinite(o.step), "step", o.step, ">= 0, 0 = auto");
  require(o.alpha >= 0 && std::isfinite(o.alpha), "alpha", o.alpha, ">= 0, 0 = auto");
  require(o.init_scale > 0, "init scale", o.init_scale, "> 0");
  require(o.max_iterations >= 1, "iterations", o.max_iterations, ">= 1");
  require(callback_every >= 1, "callback interval", callback_every, ">= 1");

  at::Generator gen = generator(o.seed);
  const auto cpu = y.options().device(at::kCPU);
  const double scale = o.init_scale / std::sqrt(side);
  at::Tensor u = at::randn({m, r}, gen, cpu).mul_(scale).to(y.device());
  // The symmetric model X = U Uᵀ is the asymmetric one with V = U (kept equal by the
  // updates below when Y is symmetric), so one loop serves both.
  at::Tensor v = asymmetric ? at::randn({n, r}, gen, cpu).mul_(scale).to(y.device()) : u;
  at::Tensor g = at::full_like(y, o.init_scale);
  at::Tensor h = at::full_like(y, o.init_scale);
  at::Tensor x = u.matmul(v.t());
  at::Tensor x_before;
  int64_t k = 0;
  while (k < o.max_iterations) {
    // Residual of ¼‖U Uᵀ + g⊙g − h⊙h − Y‖²; its gradients are R U, R⊙g and −R⊙h
    // (asymmetric: R V for U and Rᵀ U for V).
    const at::Tensor r_mat = x + g * g - h * h - y;
    if (asymmetric) {
      const at::Tensor grad_u = r_mat.matmul(v);
      v.sub_(r_mat.t().matmul(u), tau);
      u.sub_(grad_u, tau);
    } else {
      u.sub_(r_mat.matmul(u), tau);
    }
    g.sub_(r_mat * g, alpha * tau);
    h.add_(r_mat * h, alpha * tau);
    x = u.matmul(v.t());
    ++k;
    if (observer && k % callback_every == 0) observer(k, x, g * g - h * h);
    if (k % 100 == 0 || k == o.max_iterations) {
      if (!std::isfinite(x.abs().max().item<double>())) {
        std::ostringstream msg;
        msg << "low-rank DOP diverged at iteration " << k << " (step " << tau << ", alpha " << alpha
            << "); use a smaller step or alpha";
        throw RuntimeError(msg.str());
      }
    }
    if (o.tolerance > 0 && k % 100 == 0) {
      if (x_before.defined() &&
          (x - x_before).norm().item<double>() <= o.tolerance * x.norm().item<double>()) {
        break;
      }
      x_before = x.clone();
    }
  }
  return {x, g * g - h * h, k};
}

Solution solve_l1(const at::Tensor& y, const L1Options& o, const Observer& observer,
                  int64_t callback_every) {
  require_square(y);
  const int64_t n = y.size(0);
  const int64_t r = columns(o.rank, n);
  require(o.step > 0, "step", o.step, "> 0");
  require(o.decay > 0 && o.decay <= 1, "decay", o.decay, "(0, 1]");
  require(o.decay_every >= 1, "decay interval", o.decay_every, ">= 1");
  require(o.iterations >= 1, "iterations", o.iterations, ">= 1");
  at::Tensor u = at::randn({n, r}, generator(o.seed), y.options().device(at::kCPU))
                     .div_(std::sqrt(static_cast<double>(n)))
                     .to(y.device());
  at::Tensor x = u.matmul(u.t());
  for (int64_t k = 0; k < o.iterations; ++k) {
    // Subgradient of ‖U Uᵀ − Y‖₁ with respect to U: (G + Gᵀ) U, G = sign(U Uᵀ − Y).
    const at::Tensor sign = at::sign(x - y);
    const double step = o.step * std::pow(o.decay, static_cast<double>(k / o.decay_every));
    u.sub_((sign + sign.t()).matmul(u), step / static_cast<double>(n));
    x = u.matmul(u.t());
    if (observer && (k + 1) % callback_every == 0) observer(k + 1, x, y - x);
  }
  return {x, y - x, o.iterations};
}

Solution solve_rpca(const at::Tensor& y, const RpcaOptions& o) {
  require_matrix(y);
  const int64_t n = std::max(y.size(0), y.size(1));
  const double lambda = o.lambda > 0 ? o.lambda : 1.0 / std::sqrt(static_cast<double>(n));
  require(o.max_iterations >= 1, "iterations", o.max_iterations, ">= 1");
  const double norm2 = spectral_norm(y);
  const double y_norm = y.norm().item<double>();
  double mu = 1.25 / norm2;
  const double rho = 1.5;
  const double mu_max = 1e7;
  at::Tensor dual = y / std::max(norm2, y.abs().max().item<double>() / lambda);
  at::Tensor s = at::zeros_like(y);
  at::Tensor x = at::zeros_like(y);
  int64_t k = 0;
  while (k < o.max_iterations) {
    ++k;
    // X: singular value thresholding; S: soft thresholding (shrinkage).
    const auto [uu, sv, vt] = at::linalg_svd(y - s + dual / mu, false);
    x = uu.matmul(at::diag(at::clamp_min(sv - 1.0 / mu, 0.0))).matmul(vt);
    const at::Tensor t = y - x + dual / mu;
    s = at::sign(t) * at::clamp_min(t.abs() - lambda / mu, 0.0);
    const at::Tensor z = y - x - s;
    dual = dual + mu * z;
    mu = std::min(mu * rho, mu_max);
    if (z.norm().item<double>() / y_norm < o.tolerance) break;
  }
  return {x, s, k};
}

double relative_error(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).norm().item<double>() / b.norm().item<double>();
}

}  // namespace dop::lowrank
