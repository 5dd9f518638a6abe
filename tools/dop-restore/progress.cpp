#include "progress.hpp"

#include <cmath>

#include <unistd.h>

#include <spdlog/fmt/fmt.h>

namespace dop::cli {
namespace {

// A terminal is redrawn at most this often; a log gets a line this often.
constexpr double kLiveInterval = 0.2;
constexpr double kPlainInterval = 10.0;

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

ProgressDisplay::ProgressDisplay(bool enabled, std::FILE* stream)
    : enabled_(enabled), live_(::isatty(::fileno(stream)) != 0), stream_(stream) {}

ProgressDisplay::~ProgressDisplay() { finish(); }

std::string ProgressDisplay::format(const Progress& p) const {
  const double rate = p.seconds > 0 ? p.iteration / p.seconds : 0.0;
  const double eta = rate > 0 ? (p.iterations - p.iteration) / rate : NAN;
  std::string line =
      prefix_ + fmt::format("iteration {}/{} ({:.0f}%)  loss {:.3e}  {:.1f} it/s  ETA {}",
                            p.iteration, p.iterations, 100.0 * p.iteration / p.iterations, p.loss,
                            rate, format_duration(eta));
  if (!std::isnan(last_psnr_)) line += fmt::format("  PSNR {:.2f} dB", last_psnr_);
  return line;
}

void ProgressDisplay::update(const Progress& p) {
  if (!enabled_) return;
  if (!std::isnan(p.psnr)) last_psnr_ = p.psnr;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  const bool last = p.iteration == p.iterations;
  if (shown_any_ && !last && since < (live_ ? kLiveInterval : kPlainInterval)) return;
  last_ = now;
  shown_any_ = true;
  if (live_) {
    std::fprintf(stream_, "\r\033[K%s", format(p).c_str());
    open_line_ = true;
  } else {
    std::fprintf(stream_, "%s\n", format(p).c_str());
  }
  std::fflush(stream_);
}

void ProgressDisplay::finish() {
  if (open_line_) {
    std::fputc('\n', stream_);
    std::fflush(stream_);
    open_line_ = false;
  }
}

}  // namespace dop::cli
