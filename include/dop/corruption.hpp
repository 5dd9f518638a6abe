#pragma once

#include <cstdint>

#include <ATen/core/Tensor.h>

namespace dop {

/// The sparse corruption models of ALGORITHM.md §3, for experiments and tests.
enum class CorruptionKind {
  /// Each element, with probability `amount`, becomes 0 or 1 (equal chance).
  kSaltAndPepper,
  /// Each element, with probability `amount`, becomes a uniform value in [0, 1].
  kRandomImpulse,
};

/// Corrupts every element (each colour channel separately) of an image with values
/// in [0, 1]. amount in [0, 1]. The same seed gives the same corruption on any machine.
at::Tensor corrupt(const at::Tensor& clean, CorruptionKind kind, double amount, uint64_t seed);

/// Salt-and-pepper noise: corrupt(clean, kSaltAndPepper, amount, seed).
at::Tensor salt_and_pepper(const at::Tensor& clean, double amount, uint64_t seed);

/// Random-valued impulse noise: corrupt(clean, kRandomImpulse, amount, seed).
at::Tensor random_impulse(const at::Tensor& clean, double amount, uint64_t seed);

}  // namespace dop
