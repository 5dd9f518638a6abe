// dop-bench: measurements and experiment helpers around dop_core.
//   timing   seconds per iteration of dop_core against the Python reference (same run)
//   corrupt  make a corrupted copy of an image with the library's seeded noise models
//   lowrank  the paper's matrix experiments (robust PCA without the rank)
//   figure3, figure4, figure5, impulse, all  the paper's image experiments, with the peers
//   memory   peak memory of training against image size and width
//   speed    PSNR against wall-clock time: the Python reference (paper schedule) vs presets
//   average  PSNR of the last output and of moving averages of it along one run
//   agree    dop_core's loss step by step against the Python reference from the same start
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "agree_bench.hpp"
#include "average_bench.hpp"
#include "dop/corruption.hpp"
#include "dop/device.hpp"
#include "dop/error.hpp"
#include "dop/image_io.hpp"
#include "dop/trainer.hpp"
#include "image_bench.hpp"
#include "lowrank_bench.hpp"
#include "memory_bench.hpp"
#include "process.hpp"
#include "snapshot_bench.hpp"
#include "speed_bench.hpp"

namespace {

struct TimingOptions {
  std::vector<std::string> workloads{"128:32", "256:64"};
  int64_t iterations = 20;
  int repeats = 2;
  int threads = 0;
  std::string device = "cpu";
  std::string python = "/usr/bin/python3";
  std::string script = DOP_REFERENCE_SCRIPT;
  bool skip_reference = false;
};

// The reference's synthetic test image (dop_reference.py without --image), 3×size×size.
at::Tensor synthetic_image(int64_t size) {
  const at::Tensor r = at::arange(size, at::kFloat) / static_cast<double>(size);
  const at::Tensor yy = r.view({size, 1}).expand({size, size});
  const at::Tensor xx = r.view({1, size}).expand({size, size});
  return at::stack({0.5 + 0.4 * at::sin(6 * xx), 0.5 + 0.4 * at::cos(5 * yy), (xx + yy) / 2});
}

double time_dop_core(int64_t size, int64_t width, const TimingOptions& o, c10::Device device) {
  dop::TrainOptions t;
  t.iterations = o.iterations;
  t.network.width = width;
  const at::Tensor noisy = dop::salt_and_pepper(synthetic_image(size), 0.5, 0);
  dop::Trainer trainer(noisy, t, device);
  // Timed like the reference: from before the first step to after the last.
  const auto start = std::chrono::steady_clock::now();
  at::Tensor loss;
  for (int64_t i = 0; i < o.iterations; ++i) loss = trainer.step();
  (void)loss.item<double>();  // waits for a GPU to finish
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s / static_cast<double>(o.iterations);
}

double time_reference(int64_t size, int64_t width, int threads, const TimingOptions& o) {
  const std::string cmd = fmt::format(
      "'{}' '{}' --size {} --width {} --iters {} --threads {} --device {} --timing-only "
      "2>/dev/null",
      o.python, o.script, size, width, o.iterations, threads, o.device);
  const auto run = dop::bench::run_command(cmd);
  if (!run.ok || run.text.empty()) {
    throw dop::RuntimeError("the Python reference failed (" + cmd +
                            "); it needs /usr/bin/python3 with python3-torch (see the README)");
  }
  return nlohmann::json::parse(run.text).at("sec_per_iter").get<double>();
}

int run_timing(const TimingOptions& o) {
  const c10::Device device = dop::resolve_device(o.device);
  const int threads = dop::configure_threads(o.threads);
  dop::tune_host_allocator();
  if (!o.skip_reference && !std::ifstream(o.script)) {
    throw dop::UsageError("reference script '" + o.script +
                          "' not found: pass --script PATH or --skip-reference");
  }
  std::printf("%-10s %6s %6s %14s %14s %8s\n", "size", "width", "iters", "dop_core s/it",
              "python s/it", "ratio");
  for (const auto& w : o.workloads) {
    const auto colon = w.find(':');
    if (colon == std::string::npos) throw dop::UsageError("workload '" + w + "' is not SIZE:WIDTH");
    const int64_t size = std::stoll(w.substr(0, colon));
    const int64_t width = std::stoll(w.substr(colon + 1));
    double ours = INFINITY;
    double theirs = INFINITY;
    // Alternate the two so that machine load drifts affect both alike; keep each one's best.
    for (int r = 0; r < o.repeats; ++r) {
      ours = std::min(ours, time_dop_core(size, width, o, device));
      if (!o.skip_reference) theirs = std::min(theirs, time_reference(size, width, threads, o));
    }
    if (o.skip_reference) {
      std::printf("%-10s %6lld %6lld %14.4f %14s %8s\n", fmt::format("{}x{}", size, size).c_str(),
                  static_cast<long long>(width), static_cast<long long>(o.iterations), ours, "-",
                  "-");
    } else {
      std::printf("%-10s %6lld %6lld %14.4f %14.4f %8.3f\n",
                  fmt::format("{}x{}", size, size).c_str(), static_cast<long long>(width),
                  static_cast<long long>(o.iterations), ours, theirs, ours / theirs);
    }
    std::fflush(stdout);
  }
  std::printf(
      "threads %d, device %s, best of %d run(s) each; ratio = dop_core / python (< 1 is faster)\n",
      threads, device.str().c_str(), o.repeats);
  return 0;
}

struct CorruptOptions {
  std::string input;
  std::string output;
  std::string kind = "sp";
  double amount = 0.3;
  double gaussian = 0.0;
  uint64_t seed = 0;
  bool overwrite = false;
};

int run_corrupt(const CorruptOptions& o) {
  dop::Image image = dop::load_image(o.input);
  const auto kind = dop::parse_corruption_kind(o.kind);
  // Dense noise first (the sensor's), then the sparse damage on top.
  // (Its own stream: a seed of its own, so that its draws do not line up with the damage.)
  if (o.gaussian > 0.0) {
    image.pixels = dop::add_gaussian_noise(image.pixels, o.gaussian, o.seed + 0x9e3779b9u);
  }
  image.pixels = dop::corrupt(image.pixels, kind, o.amount, o.seed);
  dop::save_image(o.output, image, {0, o.overwrite});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Measurements and experiment helpers for dop-restore", "dop-bench"};
  app.require_subcommand(1);

  TimingOptions timing;
  auto* t = app.add_subcommand("timing", "Seconds per iteration: dop_core vs the Python reference");
  t->add_option("--workload", timing.workloads, "SIZE:WIDTH pairs")->capture_default_str();
  t->add_option("--iterations", timing.iterations, "Timed iterations per run")
      ->capture_default_str();
  t->add_option("--repeats", timing.repeats, "Runs of each side; the best counts")
      ->capture_default_str();
  t->add_option("--threads", timing.threads, "Threads for both sides (0 = all cores)")
      ->capture_default_str();
  t->add_option("--device", timing.device, "cpu or cuda[:N]")->capture_default_str();
  t->add_option("--python", timing.python, "Python with torch")->capture_default_str();
  t->add_option("--script", timing.script,
                "The Python reference (tools/reference/dop_reference.py)")
      ->capture_default_str();
  t->add_flag("--skip-reference", timing.skip_reference, "Time dop_core alone");

  CorruptOptions corrupt;
  auto* c = app.add_subcommand("corrupt", "Write a copy of an image with seeded sparse corruption");
  c->add_option("INPUT", corrupt.input, "Clean image")->required();
  c->add_option("OUTPUT", corrupt.output, "Corrupted image")->required();
  c->add_option("--kind", corrupt.kind,
                "sp (salt-and-pepper), rv (random-valued impulse), dead (dead pixels) or "
                "scratch (scratches)")
      ->check(CLI::IsMember({"sp", "rv", "dead", "scratch"}))
      ->capture_default_str();
  c->add_option("--amount", corrupt.amount, "Fraction of samples corrupted")->capture_default_str();
  c->add_option("--gaussian", corrupt.gaussian,
                "Also dense Gaussian noise of this standard deviation (intensities in [0, 1]), "
                "added before the sparse damage")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  c->add_option("--seed", corrupt.seed, "Seed")->capture_default_str();
  c->add_flag("--overwrite", corrupt.overwrite, "Replace OUTPUT if it exists");

  dop::bench::LowRankBenchOptions lowrank;
  lowrank.reference_script = DOP_LOWRANK_REFERENCE_SCRIPT;
  auto* l = dop::bench::add_lowrank_command(app, lowrank);

  dop::bench::MemoryBenchOptions memory;
  auto* m = dop::bench::add_memory_command(app, memory);

  dop::bench::SpeedBenchOptions speed;
  dop::bench::AverageBenchOptions average;
  speed.paper_dir = DOP_PAPER_IMAGES;
  speed.script = DOP_REFERENCE_SCRIPT;
  auto* sp = dop::bench::add_speed_command(app, speed);
  auto* av = dop::bench::add_average_command(app, average);
  dop::bench::SnapshotBenchOptions snapshots;
  auto* sn = dop::bench::add_snapshot_command(app, snapshots);
  dop::bench::ComposeBenchOptions compose;
  auto* co = dop::bench::add_compose_command(app, compose);

  dop::bench::AgreeOptions agree;
  agree.script = DOP_REFERENCE_SCRIPT;
  auto* ag = dop::bench::add_agree_command(app, agree);

  dop::bench::ImageBenchOptions images;
  images.paper_dir = DOP_PAPER_IMAGES;
  const auto image_commands = dop::bench::add_image_commands(app, images);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*t) return run_timing(timing);
    if (*l) return dop::bench::run_lowrank(*l, lowrank);
    if (*m) return dop::bench::run_memory(memory);
    if (*sp) return dop::bench::run_speed(speed);
    if (*av) return dop::bench::run_average(average);
    if (*sn) return dop::bench::run_snapshots(snapshots);
    if (*co) return dop::bench::run_compose(compose);
    if (*ag) return dop::bench::run_agree(agree);
    for (const auto* cmd : image_commands) {
      if (*cmd) return dop::bench::run_image_bench(cmd->get_name(), images);
    }
    return run_corrupt(corrupt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dop-bench: error: %s\n", e.what());
    return dop::exit_code_of(e);
  }
}
