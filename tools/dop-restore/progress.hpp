#pragma once

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "dop/trainer.hpp"

namespace dop::cli {

/// Shows training progress on stderr: one live, rewritten line on a terminal
/// (iteration, percent, loss, it/s, ETA), or a plain line every few seconds when stderr
/// is a file or a pipe (logs, CI, scripts).
class ProgressDisplay {
 public:
  /// enabled = false shows nothing.
  explicit ProgressDisplay(bool enabled, std::FILE* stream = stderr);
  ~ProgressDisplay();

  void update(const Progress& p);
  /// Text shown before every line (e.g. which run of a batch this is); empty = none.
  void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }
  /// Ends the live line (if any) so later output starts on a fresh line.
  void finish();

 private:
  std::string format(const Progress& p) const;

  bool enabled_;
  bool live_;
  bool open_line_ = false;
  std::FILE* stream_;
  std::chrono::steady_clock::time_point last_;
  bool shown_any_ = false;
  double last_psnr_ = NAN;  // the latest PSNR sample, shown until the next
  std::string prefix_;
};

/// "1:02:03" or "2:03".
std::string format_duration(double seconds);

}  // namespace dop::cli
