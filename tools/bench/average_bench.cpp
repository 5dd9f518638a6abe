#include "average_bench.hpp"

#include <cmath>
#include <fstream>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "dop/device.hpp"
#include "dop/error.hpp"
#include "dop/image_io.hpp"
#include "dop/metrics.hpp"
#include "dop/presets.hpp"
#include "dop/trainer.hpp"

namespace dop::bench {

CLI::App* add_average_command(CLI::App& app, AverageBenchOptions& o) {
  auto* c = app.add_subcommand(
      "average",
      "PSNR of the last output and of moving averages of it (several weights) along one run");
  c->add_option("CLEAN", o.clean, "Clean image")->required();
  c->add_option("NOISY", o.noisy, "Corrupted image (the one restored)")->required();
  c->add_option("OUT", o.out,
                "CSV written: iteration, PSNR of the output and of each average, "
                "RMS change of the output and of each average per window")
      ->required();
  c->add_option("--iterations", o.iterations, "Steps")->capture_default_str();
  c->add_option("--width", o.width, "Network width (0 = the balanced preset's)")
      ->capture_default_str();
  c->add_option("--lr-decay-after", o.lr_decay_start,
                "Steps decay after this iteration (0 = constant; -1 = the preset's)")
      ->capture_default_str();
  c->add_option("--lr-decay", o.lr_decay,
                "Form of the decay: inverse (start/t) or inverse-log (start/(t(1+ln(t/start)))); "
                "default: the preset's");
  c->add_option("--lr", o.lr, "Network step tau (0 = the preset's)")->capture_default_str();
  c->add_option("--alpha", o.alpha, "Ratio of the g, h step to tau (0 = the preset's)")
      ->capture_default_str();
  c->add_option("--betas", o.betas, "Weights of the moving averages, each in (0, 1)")
      ->capture_default_str();
  c->add_option("--every", o.every, "Iterations between samples (and every window's end)")
      ->capture_default_str();
  c->add_option("--window", o.window, "Iterations over which the change is measured")
      ->capture_default_str();
  c->add_option("--threads", o.threads, "CPU threads (0 = all cores)")->capture_default_str();
  c->add_option("--seed", o.seed, "Seed of the run")->capture_default_str();
  return c;
}

int run_average(const AverageBenchOptions& o) {
  if (o.iterations < 1 || o.every < 1 || o.window < 1) {
    throw UsageError("--iterations, --every and --window must be >= 1");
  }
  for (double b : o.betas) {
    if (!(b > 0.0 && b < 1.0)) throw UsageError(fmt::format("--betas: {} is not in (0, 1)", b));
  }
  configure_threads(o.threads);
  tune_host_allocator();
  const at::Tensor clean = load_image(o.clean).pixels;
  const at::Tensor noisy = load_image(o.noisy).pixels;
  if (clean.sizes() != noisy.sizes()) {
    throw UsageError("'" + o.clean + "' and '" + o.noisy + "' differ in size or channels");
  }
  TrainOptions t = preset_options(Preset::kBalanced);
  t.iterations = o.iterations;
  t.seed = o.seed;
  if (o.width > 0) t.network.width = o.width;
  if (o.lr_decay_start >= 0) t.lr_decay_start = o.lr_decay_start;
  if (!o.lr_decay.empty()) t.lr_decay = parse_step_decay(o.lr_decay);
  if (o.lr > 0.0) t.lr = o.lr;
  if (o.alpha > 0.0) t.alpha = o.alpha;
  t.output_average = 0.0;  // the trainer's output is the last one; the averages are kept here
  Trainer trainer(noisy, t);

  std::ofstream csv(o.out);
  if (!csv) throw OutputError("cannot write '" + o.out + "'");
  csv << "iteration,psnr_last";
  for (double b : o.betas) csv << fmt::format(",psnr_avg{:g}", b);
  csv << ",change_last";
  for (double b : o.betas) csv << fmt::format(",change_avg{:g}", b);
  csv << "\n";

  const size_t n = o.betas.size();
  std::vector<at::Tensor> sums(n);          // uncorrected averages
  std::vector<at::Tensor> previous(n + 1);  // outputs one window ago: last, then each average
  for (int64_t it = 1; it <= o.iterations; ++it) {
    trainer.step();
    const at::Tensor out = trainer.output();
    for (size_t k = 0; k < n; ++k) {
      if (!sums[k].defined()) sums[k] = at::zeros_like(out);
      sums[k].mul_(o.betas[k]).add_(out, 1.0 - o.betas[k]);
    }
    const bool window_end = it % o.window == 0;
    if (it % o.every != 0 && !window_end) continue;
    // Bias-corrected averages, only where they are read.
    std::vector<at::Tensor> now{out};
    for (size_t k = 0; k < n; ++k) {
      now.push_back(sums[k] / (1.0 - std::pow(o.betas[k], static_cast<double>(it))));
    }
    std::vector<double> change(n + 1, NAN);
    if (window_end) {
      for (size_t k = 0; k <= n; ++k) {
        if (previous[k].defined()) {
          change[k] = (now[k] - previous[k]).square().mean().sqrt().item<double>();
        }
        previous[k] = now[k];
      }
    }
    csv << it;
    for (const at::Tensor& x : now) csv << fmt::format(",{:.4f}", psnr(x, clean));
    for (double c : change) csv << (std::isnan(c) ? std::string(",") : fmt::format(",{:.5f}", c));
    csv << "\n" << std::flush;
  }
  if (!csv) throw OutputError("writing '" + o.out + "' failed");
  return 0;
}

}  // namespace dop::bench
