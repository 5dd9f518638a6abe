#include "dop/corruption.hpp"

#include <string>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "dop/error.hpp"

namespace dop {

at::Tensor corrupt(const at::Tensor& clean, CorruptionKind kind, double amount, uint64_t seed) {
  if (!(amount >= 0.0 && amount <= 1.0)) {
    throw UsageError("corruption amount must be in [0, 1], got " + std::to_string(amount));
  }
  // Draw on the CPU with a private generator: reproducible whatever the device or the
  // global random state.
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor x = clean.detach().to(at::kCPU, at::kFloat);
  const at::Tensor u = at::rand(x.sizes(), gen, at::kFloat);
  at::Tensor out = x.clone();
  if (kind == CorruptionKind::kSaltAndPepper) {
    // u < amount/2 → pepper (0), amount/2 ≤ u < amount → salt (1).
    out.masked_fill_(u < amount / 2.0, 0.0);
    out.masked_fill_((u >= amount / 2.0) & (u < amount), 1.0);
  } else {
    const at::Tensor values = at::rand(x.sizes(), gen, at::kFloat);
    out = at::where(u < amount, values, out);
  }
  return out.to(clean.device(), clean.scalar_type());
}

at::Tensor salt_and_pepper(const at::Tensor& clean, double amount, uint64_t seed) {
  return corrupt(clean, CorruptionKind::kSaltAndPepper, amount, seed);
}

at::Tensor random_impulse(const at::Tensor& clean, double amount, uint64_t seed) {
  return corrupt(clean, CorruptionKind::kRandomImpulse, amount, seed);
}

}  // namespace dop
