#pragma once

#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

namespace dop {

/// Sparse corruption models (docs/algorithm.md, "Corruption models"), for experiments,
/// benchmarks and tests. Each damages a fraction `amount` of the image and leaves every
/// other sample exactly as it was.
enum class CorruptionKind {
  /// Each sample (every colour channel on its own), with probability `amount`, becomes
  /// 0 or 1 (equal chance).
  kSaltAndPepper,
  /// Each sample, with probability `amount`, becomes a uniform value in [0, 1].
  kRandomImpulse,
  /// Each pixel, with probability `amount`, reads 0 in every channel: dead photosites.
  kDeadPixels,
  /// Thin straight or gently bent lines, 1 or 2 pixels wide, each of one grey value in
  /// every channel (bright, in [0.8, 1], two times in three; else dark, in [0, 0.2]), as
  /// scratches and hairs on a scanned print or film, added until they cover `amount` of
  /// the pixels.
  kScratches,
};

/// "sp", "rv", "dead", "scratch": the short names of the command-line tools.
std::string to_string(CorruptionKind kind);
/// Inverse of to_string; throws dop::UsageError for anything else.
CorruptionKind parse_corruption_kind(const std::string& name);
/// "salt-and-pepper", "random-valued impulse", "dead pixels", "scratches".
std::string describe(CorruptionKind kind);

/// Corrupts a C×H×W image with values in [0, 1]. amount in [0, 1]. The same seed gives the
/// same corruption on any machine.
at::Tensor corrupt(const at::Tensor& clean, CorruptionKind kind, double amount, uint64_t seed);

/// Salt-and-pepper noise: corrupt(clean, kSaltAndPepper, amount, seed).
at::Tensor salt_and_pepper(const at::Tensor& clean, double amount, uint64_t seed);

/// Random-valued impulse noise: corrupt(clean, kRandomImpulse, amount, seed).
at::Tensor random_impulse(const at::Tensor& clean, double amount, uint64_t seed);

/// Dense Gaussian noise of standard deviation sigma on every sample, clamped to [0, 1]
/// (sensor noise under the sparse damage, for checking that a restoration backs off).
at::Tensor add_gaussian_noise(const at::Tensor& image, double sigma, uint64_t seed);

}  // namespace dop
