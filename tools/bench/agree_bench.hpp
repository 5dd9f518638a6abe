#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace dop::bench {

/// Settings of `dop-bench agree`: dop_core and the Python reference start from the same
/// network weights, z, g, h and observation, take the same plain gradient steps (no input
/// jitter), and their losses are compared step by step. Only the first steps are: from
/// about the fifth, the training amplifies float32 rounding (the reference run with one
/// thread and with two, summing in another order, parts by 1e-4 within ten steps), while a
/// wrong forward pass, gradient or step shows at the first or second step.
struct AgreeOptions {
  int64_t size = 64;
  int64_t width = 8;
  int64_t iterations = 3;
  /// The steps: the paper's τ and α by default.
  double lr = 1.0;
  double alpha = 500.0;
  /// Largest relative difference of a loss accepted (float32 sums in another order).
  double tolerance = 1e-5;
  std::string python = "/usr/bin/python3";
  std::string script;
};

CLI::App* add_agree_command(CLI::App& app, AgreeOptions& options);
/// Prints both sides' losses; returns 0 when they agree, 1 when not.
int run_agree(const AgreeOptions& options);

}  // namespace dop::bench
