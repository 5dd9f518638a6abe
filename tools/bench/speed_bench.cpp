// dop-bench speed: the quality a user has after the time they are willing to wait. For
// each workload (image side, corruption) it runs, one after the other on the same
// threads, the Python reference with the paper's schedule (width 128, τ 1, α 500, g,h
// from 1e-5, 150,000 iterations, stopped after --reference-seconds) and dop-restore with
// each preset asked for, and reports PSNR against wall-clock seconds.
#include "speed_bench.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include <ATen/ATen.h>
#include <spdlog/fmt/fmt.h>
#include <nlohmann/json.hpp>

#include "dop/classical.hpp"
#include "dop/corruption.hpp"
#include "dop/error.hpp"
#include "dop/image_io.hpp"
#include "dop/metrics.hpp"
#include "image_bench.hpp"
#include "plot.hpp"
#include "process.hpp"

namespace dop::bench {
namespace {

namespace fs = std::filesystem;

struct Workload {
  int64_t side = 0;
  std::string kind;  // "sp" or "rv"
  double amount = 0;

  std::string key() const { return fmt::format("{}-{}{:.0f}", side, kind, 100 * amount); }
  std::string label() const {
    return fmt::format("{}x{}, {} {:.0f}%", side, side,
                       kind == "sp" ? "salt-and-pepper" : "random-valued impulse", 100 * amount);
  }
};

Workload parse_workload(const std::string& text) {
  Workload w;
  std::istringstream in(text);
  std::string side, amount;
  if (!std::getline(in, side, ':') || !std::getline(in, w.kind, ':') || !std::getline(in, amount)) {
    throw UsageError("workload '" + text + "' is not SIDE:KIND:AMOUNT (e.g. 128:sp:0.5)");
  }
  try {
    w.side = std::stoll(side);
    w.amount = std::stod(amount);
  } catch (const std::exception&) {
    throw UsageError("workload '" + text + "' is not SIDE:KIND:AMOUNT (e.g. 128:sp:0.5)");
  }
  if (w.side < 16 || (w.kind != "sp" && w.kind != "rv") || !(w.amount > 0 && w.amount < 1)) {
    throw UsageError("workload '" + text + "': side >= 16, kind sp or rv, amount in (0, 1)");
  }
  return w;
}

// One learning curve against wall-clock time.
struct Curve {
  std::string side;  // "reference" or "dop-restore <preset>"
  std::string tag;   // "reference" or the preset: names the curve's file
  std::vector<double> seconds;
  std::vector<int64_t> iterations;
  std::vector<double> psnr;

  double end() const { return seconds.empty() ? 0.0 : seconds.back(); }
  // PSNR of the output a user has at time t: the last sample at or before t (the final
  // result once the run has ended); NaN before the first sample.
  double at(double t) const {
    double v = std::numeric_limits<double>::quiet_NaN();
    for (size_t i = 0; i < seconds.size() && seconds[i] <= t; ++i) v = psnr[i];
    return v;
  }
  // First time the PSNR reached `target`; NaN when it never did.
  double time_to(double target) const {
    for (size_t i = 0; i < seconds.size(); ++i) {
      if (psnr[i] >= target) return seconds[i];
    }
    return std::numeric_limits<double>::quiet_NaN();
  }
  double iterations_per_second() const {
    return seconds.size() < 2 ? std::numeric_limits<double>::quiet_NaN()
                              : static_cast<double>(iterations.back() - iterations.front()) /
                                    (seconds.back() - seconds.front());
  }
};

std::string shell_quoted(const fs::path& p) { return "'" + p.string() + "'"; }

fs::path default_restore() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("dop-restore")
            : self.parent_path().parent_path() / "dop-restore" / "dop-restore";
}

Curve reference_curve(const fs::path& log);

Curve run_reference(const SpeedBenchOptions& o, const fs::path& clean, const fs::path& noisy,
                    int threads, const fs::path& log) {
  if (o.reuse && fs::exists(log)) return reference_curve(log);
  const std::string cmd = fmt::format(
      "{} {} --noisy {} --image {} --width 128 --iters 150000 --lr 1 --alpha 500 --threads {} "
      "--every {} --time-limit {} 2>/dev/null",
      o.python, shell_quoted(o.script), shell_quoted(noisy), shell_quoted(clean), threads,
      o.reference_every, o.reference_seconds);
  const CommandOutput run = run_command(cmd);
  if (!run.ok) {
    throw RuntimeError("the Python reference failed (" + cmd +
                       "); it needs /usr/bin/python3 with python3-torch and python3-opencv");
  }
  std::ofstream(log) << run.text;
  return reference_curve(log);
}

Curve reference_curve(const fs::path& log) {
  std::ifstream in(log);
  const auto j = nlohmann::json::parse(in);
  Curve c;
  c.side = c.tag = "reference";
  for (const auto& h : j.at("history")) {
    c.seconds.push_back(h.at("t").get<double>());
    c.iterations.push_back(h.at("iter").get<int64_t>() + 1);
    c.psnr.push_back(h.at("psnr").get<double>());
  }
  return c;
}

Curve run_ours(const SpeedBenchOptions& o, const std::string& preset, const fs::path& clean,
               const fs::path& noisy, int threads, const fs::path& dir) {
  const fs::path report = dir / fmt::format("dop-restore-{}.json", preset);
  const fs::path output = dir / fmt::format("dop-restore-{}.png", preset);
  const fs::path restore = o.restore.empty() ? default_restore() : fs::path(o.restore);
  const std::string cmd = fmt::format(
      "{} -q --overwrite --preset {} --threads {} --log-every 10 --reference {} --report {} {} "
      "{}",
      shell_quoted(restore), preset, threads, shell_quoted(clean), shell_quoted(report),
      shell_quoted(noisy), shell_quoted(output));
  if (!(o.reuse && fs::exists(report)) && !run_command(cmd).ok) {
    throw RuntimeError("dop-restore failed: " + cmd);
  }
  std::ifstream in(report);
  const auto j = nlohmann::json::parse(in);
  Curve c;
  c.side = "dop-restore " + preset;
  c.tag = preset;
  for (const auto& h : j.at("history")) {
    if (!h.contains("psnr")) continue;
    c.seconds.push_back(h.at("seconds").get<double>());
    c.iterations.push_back(h.at("iteration").get<int64_t>());
    c.psnr.push_back(h.at("psnr").get<double>());
  }
  return c;
}

std::string cell(double v, const char* format = "{:.2f}") {
  return std::isnan(v) ? "-" : fmt::format(fmt::runtime(format), v);
}

std::string minutes(double seconds) {
  return seconds >= 60 && std::fmod(seconds, 60.0) == 0 ? fmt::format("{:g} min", seconds / 60)
                                                        : fmt::format("{:g} s", seconds);
}

}  // namespace

CLI::App* add_speed_command(CLI::App& app, SpeedBenchOptions& o) {
  auto* c = app.add_subcommand(
      "speed",
      "PSNR against wall-clock time: the Python reference (paper schedule) vs dop-restore");
  c->add_option("--image", o.image, "Clean image (default: the paper's F16)");
  c->add_option("--paper-images", o.paper_dir, "Folder of the paper's images")
      ->capture_default_str();
  c->add_option("--workload", o.workloads, "SIDE:KIND:AMOUNT, KIND sp or rv")
      ->capture_default_str();
  c->add_option("--presets", o.presets, "dop-restore presets to run (the first is compared)")
      ->check(CLI::IsMember({"fast", "balanced", "paper"}))
      ->capture_default_str();
  c->add_option("--reference-seconds", o.reference_seconds,
                "Time limit of the reference's paper schedule")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c->add_option("--report-at", o.report_at, "Times (s) at which the table gives each PSNR")
      ->capture_default_str();
  c->add_option("--reference-every", o.reference_every, "Iterations between reference samples")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c->add_option("--threads", o.threads, "Threads of both sides (0 = all cores)")
      ->capture_default_str();
  c->add_option("--noise-seed", o.noise_seed, "Seed of the corruption")->capture_default_str();
  c->add_option("--python", o.python, "Python with torch")->capture_default_str();
  c->add_option("--script", o.script, "The Python reference (tools/reference/dop_reference.py)")
      ->capture_default_str();
  c->add_option("--restore", o.restore, "dop-restore binary (default: the one built here)");
  c->add_option("--out", o.out, "Output folder")->capture_default_str();
  c->add_flag("--skip-reference", o.skip_reference, "Run dop-restore only");
  c->add_flag("--reuse", o.reuse,
              "Take runs whose results are already in OUT/runs from there (finish an "
              "interrupted run, or remake the tables)");
  return c;
}

int run_speed(const SpeedBenchOptions& o) {
  std::vector<Workload> workloads;
  for (const auto& w : o.workloads) workloads.push_back(parse_workload(w));
  if (o.presets.empty()) throw UsageError("--presets needs at least one preset");
  const fs::path image = o.image.empty() ? fs::path(o.paper_dir) / "F16.png" : fs::path(o.image);
  if (!fs::exists(image)) {
    throw InputError(
        "'" + image.string() +
        "' not found: the paper's images are in data/paper-images of the repository; pass "
        "--paper-images DIR or --image FILE");
  }
  if (!o.skip_reference && !fs::exists(o.script)) {
    throw UsageError("reference script '" + o.script +
                     "' not found: pass --script PATH or --skip-reference");
  }
  const int threads = o.threads > 0
                          ? o.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const fs::path out(o.out);
  fs::create_directories(out / "runs");

  std::ofstream csv(out / "speed.csv");
  csv << "workload,side,seconds,iteration,psnr\n";
  std::ostringstream table;
  std::ostringstream reach;
  std::string at_header;
  for (double t : o.report_at) at_header += " PSNR @" + minutes(t) + " |";
  table << "| workload | side | it/s | end (s) |" << at_header << " final |\n|---|---|---|---|";
  for (size_t i = 0; i <= o.report_at.size(); ++i) table << "---|";
  table << "\n";
  reach << "| workload | target | PSNR | reference (s) | " << o.presets.front()
        << " (s) | speed-up |\n|---|---|---|---|---|---|\n";
  std::string plots;

  for (size_t wi = 0; wi < workloads.size(); ++wi) {
    const Workload& w = workloads[wi];
    const fs::path dir = out / "runs" / w.key();
    fs::create_directories(dir);
    // Both sides read the same 8-bit files: the clean square and its corrupted copy.
    dop::Image clean_image;
    clean_image.pixels = load_clean(image, w.side);
    clean_image.bit_depth = 8;
    const fs::path clean_file = dir / "clean.png";
    dop::save_image(clean_file, clean_image, {8, true});
    const at::Tensor clean = dop::load_image(clean_file).pixels;
    dop::Image noisy_image;
    noisy_image.pixels = dop::corrupt(
        clean, w.kind == "sp" ? CorruptionKind::kSaltAndPepper : CorruptionKind::kRandomImpulse,
        w.amount, o.noise_seed);
    noisy_image.bit_depth = 8;
    const fs::path noisy_file = dir / "noisy.png";
    dop::save_image(noisy_file, noisy_image, {8, true});
    const at::Tensor noisy = dop::load_image(noisy_file).pixels;
    const double input_psnr = dop::psnr(noisy, clean);
    const double switching = dop::psnr(dop::switching_median_filter(noisy), clean);

    std::vector<Curve> curves;
    if (!o.skip_reference) {
      std::fprintf(stderr, "[%zu/%zu] %s: Python reference, paper schedule, %g s ...\n", wi + 1,
                   workloads.size(), w.label().c_str(), o.reference_seconds);
      curves.push_back(run_reference(o, clean_file, noisy_file, threads, dir / "reference.json"));
    }
    for (const auto& preset : o.presets) {
      std::fprintf(stderr, "[%zu/%zu] %s: dop-restore --preset %s ...\n", wi + 1, workloads.size(),
                   w.label().c_str(), preset.c_str());
      curves.push_back(run_ours(o, preset, clean_file, noisy_file, threads, dir));
    }

    std::string plot_lines;
    for (const auto& c : curves) {
      const std::string name = fmt::format("{}-{}.csv", w.key(), c.tag);
      std::ofstream one(out / name);
      one << "seconds," << c.side << "\n";
      for (size_t i = 0; i < c.seconds.size(); ++i) {
        csv << w.key() << ',' << c.side << ',' << c.seconds[i] << ',' << c.iterations[i] << ','
            << c.psnr[i] << '\n';
        one << c.seconds[i] << ',' << c.psnr[i] << '\n';
      }
      plot_lines += fmt::format("'{}' using 1:2 with lines lw 2, ", name);
      table << "| " << w.label() << " | " << c.side << " | "
            << cell(c.iterations_per_second(), "{:.2f}") << " | " << cell(c.end(), "{:.0f}")
            << " |";
      for (double t : o.report_at) table << ' ' << cell(c.at(t)) << " |";
      table << ' ' << cell(c.psnr.empty() ? NAN : c.psnr.back()) << " |\n";
    }
    table << "| " << w.label() << " | switching median (input " << fmt::format("{:.2f}", input_psnr)
          << " dB) | | |";
    for (size_t i = 0; i < o.report_at.size(); ++i) table << " |";
    table << ' ' << fmt::format("{:.2f}", switching) << " |\n";

    const Curve* ours = &curves.back();
    for (const auto& c : curves) {
      if (c.side == "dop-restore " + o.presets.front()) ours = &c;
    }
    const Curve* ref = o.skip_reference ? nullptr : &curves.front();
    const auto add_target = [&](const std::string& what, double target) {
      const double r = ref ? ref->time_to(target) : NAN;
      const double d = ours->time_to(target);
      reach << "| " << w.label() << " | " << what << " | " << fmt::format("{:.2f}", target) << " | "
            << cell(r, "{:.0f}") << " | " << cell(d, "{:.1f}") << " | " << cell(r / d, "{:.1f}x")
            << " |\n";
    };
    if (ref && !ref->psnr.empty()) {
      add_target("reference's PSNR at " + minutes(o.reference_seconds),
                 ref->at(o.reference_seconds));
    }
    add_target("switching median", switching);

    plots += fmt::format(
        "set title '{}'\nplot {}{:.3f} title 'switching median' with lines dt 2 lc rgb '#ff7f0e'\n",
        w.label(), plot_lines, switching);
  }

  const std::string md = fmt::format(
      "# dop-bench speed\n\nThreads: {} (both sides). Reference: {} with the paper's schedule "
      "(width 128, tau 1, alpha 500, g,h from 1e-5), stopped after {:g} s. Seconds count from "
      "the first step (model set-up excluded on both sides).\n\n## PSNR (dB) against "
      "wall-clock time\n\n{}\n## Time to reach a PSNR\n\n{}",
      threads, o.script, o.reference_seconds, table.str(), reach.str());
  std::ofstream(out / "speed.md") << md;
  std::printf("%s", md.c_str());
  const size_t n = workloads.size();
  render_png(out / "speed.png",
             fmt::format("set multiplot layout 1,{}\nset xlabel 'seconds'\nset ylabel 'PSNR (dB)'\n"
                         "set logscale x\nset key bottom right\nset grid\n{}unset multiplot",
                         n, plots),
             static_cast<int>(500 * n), 450);
  std::printf("\nwrote %s (speed.csv, speed.md, speed.png, runs/)\n", out.c_str());
  return 0;
}

}  // namespace dop::bench
