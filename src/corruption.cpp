#include "dop/corruption.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "dop/error.hpp"

namespace dop {
namespace {

constexpr std::initializer_list<CorruptionKind> kAllKinds{
    CorruptionKind::kSaltAndPepper, CorruptionKind::kRandomImpulse, CorruptionKind::kDeadPixels,
    CorruptionKind::kScratches};

// One uniform draw in [0, 1) from `gen`.
double uniform(at::Generator& gen) { return at::rand({1}, gen, at::kDouble).item<double>(); }

// Scratches: segments drawn until they cover `amount` of the pixels. Each is a line from a
// random point at a random angle, 1/8 to 1/2 of the longer side long, 1 or 2 pixels wide,
// bent by a sine of up to 1.5 pixels across its length, in one grey value. Returns the
// C×H×W result.
at::Tensor draw_scratches(const at::Tensor& x, double amount, at::Generator& gen) {
  const int64_t channels = x.size(0), height = x.size(1), width = x.size(2);
  at::Tensor covered = at::zeros({height, width}, at::kBool);
  at::Tensor value = at::zeros({height, width}, at::kFloat);
  auto cov = covered.accessor<bool, 2>();
  auto val = value.accessor<float, 2>();
  const double target = amount * static_cast<double>(height * width);
  const double longest = static_cast<double>(std::max(height, width));
  int64_t count = 0;
  // Bounded: a scratch covers at least one new pixel in all but pathological draws, and the
  // loop ends after far more scratches than any image needs.
  for (int64_t scratch = 0; count < target && scratch < 64 * height * width; ++scratch) {
    const double x0 = uniform(gen) * static_cast<double>(width);
    const double y0 = uniform(gen) * static_cast<double>(height);
    const double angle = uniform(gen) * M_PI;
    const double length = longest * (0.125 + 0.375 * uniform(gen));
    const int thickness = uniform(gen) < 0.75 ? 1 : 2;
    const double bend = 1.5 * (2.0 * uniform(gen) - 1.0);
    const bool bright = uniform(gen) < 2.0 / 3.0;
    const float grey = static_cast<float>(bright ? 0.8 + 0.2 * uniform(gen) : 0.2 * uniform(gen));
    const double dx = std::cos(angle), dy = std::sin(angle);
    const auto steps = static_cast<int64_t>(std::ceil(2.0 * length));
    for (int64_t s = 0; s <= steps && count < target; ++s) {
      const double t = static_cast<double>(s) / static_cast<double>(std::max<int64_t>(steps, 1));
      const double off = bend * std::sin(M_PI * t);
      const double px = x0 + dx * t * length - dy * off;
      const double py = y0 + dy * t * length + dx * off;
      for (int k = 0; k < thickness; ++k) {
        // The second pixel of a wide scratch lies across the line.
        const auto cx = static_cast<int64_t>(std::floor(px - dy * k));
        const auto cy = static_cast<int64_t>(std::floor(py + dx * k));
        if (cx < 0 || cy < 0 || cx >= width || cy >= height || cov[cy][cx]) continue;
        cov[cy][cx] = true;
        val[cy][cx] = grey;
        ++count;
      }
    }
  }
  return at::where(covered.unsqueeze(0), value.unsqueeze(0).expand({channels, height, width}), x);
}

}  // namespace

std::string to_string(CorruptionKind kind) {
  switch (kind) {
    case CorruptionKind::kSaltAndPepper:
      return "sp";
    case CorruptionKind::kRandomImpulse:
      return "rv";
    case CorruptionKind::kDeadPixels:
      return "dead";
    case CorruptionKind::kScratches:
      return "scratch";
  }
  return "?";
}

std::string describe(CorruptionKind kind) {
  switch (kind) {
    case CorruptionKind::kSaltAndPepper:
      return "salt-and-pepper";
    case CorruptionKind::kRandomImpulse:
      return "random-valued impulse";
    case CorruptionKind::kDeadPixels:
      return "dead pixels";
    case CorruptionKind::kScratches:
      return "scratches";
  }
  return "?";
}

CorruptionKind parse_corruption_kind(const std::string& name) {
  for (CorruptionKind k : kAllKinds) {
    if (to_string(k) == name) return k;
  }
  throw UsageError("unknown corruption '" + name + "': use sp, rv, dead or scratch");
}

at::Tensor corrupt(const at::Tensor& clean, CorruptionKind kind, double amount, uint64_t seed) {
  if (!(amount >= 0.0 && amount <= 1.0)) {
    throw UsageError("corruption amount must be in [0, 1], got " + std::to_string(amount));
  }
  if (clean.dim() != 3) throw UsageError("corrupt() takes a C×H×W image");
  // Draw on the CPU with a private generator: reproducible whatever the device or the
  // global random state.
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor x = clean.detach().to(at::kCPU, at::kFloat);
  at::Tensor out;
  switch (kind) {
    case CorruptionKind::kSaltAndPepper: {
      const at::Tensor u = at::rand(x.sizes(), gen, at::kFloat);
      // u < amount/2 → pepper (0), amount/2 ≤ u < amount → salt (1).
      out = x.clone();
      out.masked_fill_(u < amount / 2.0, 0.0);
      out.masked_fill_((u >= amount / 2.0) & (u < amount), 1.0);
      break;
    }
    case CorruptionKind::kRandomImpulse: {
      const at::Tensor u = at::rand(x.sizes(), gen, at::kFloat);
      const at::Tensor values = at::rand(x.sizes(), gen, at::kFloat);
      out = at::where(u < amount, values, x);
      break;
    }
    case CorruptionKind::kDeadPixels: {
      const at::Tensor u = at::rand({1, x.size(1), x.size(2)}, gen, at::kFloat);
      out = x.masked_fill(u < amount, 0.0);
      break;
    }
    case CorruptionKind::kScratches:
      out = draw_scratches(x, amount, gen);
      break;
  }
  return out.to(clean.device(), clean.scalar_type());
}

at::Tensor salt_and_pepper(const at::Tensor& clean, double amount, uint64_t seed) {
  return corrupt(clean, CorruptionKind::kSaltAndPepper, amount, seed);
}

at::Tensor random_impulse(const at::Tensor& clean, double amount, uint64_t seed) {
  return corrupt(clean, CorruptionKind::kRandomImpulse, amount, seed);
}

at::Tensor add_gaussian_noise(const at::Tensor& image, double sigma, uint64_t seed) {
  if (!(sigma >= 0.0 && std::isfinite(sigma))) {
    throw UsageError("noise standard deviation must be >= 0, got " + std::to_string(sigma));
  }
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor x = image.detach().to(at::kCPU, at::kFloat);
  const at::Tensor noise = at::randn(x.sizes(), gen, at::kFloat) * sigma;
  return (x + noise).clamp(0.0, 1.0).to(image.device(), image.scalar_type());
}

}  // namespace dop
