// The restore loop (docs/algorithm.md §1-3): Trainer::step until the iterations are done,
// the output has converged or the composed result settled (ConvergenceMonitor) or the time
// budget is spent, with checkpoints, progress and the learning curve on the way; then the
// result is composed from the network output and the observation (dop/compose.hpp).
#include <chrono>
#include <cmath>
#include <optional>
#include <sstream>

#include "dop/error.hpp"
#include "dop/metrics.hpp"
#include "dop/trainer.hpp"

namespace dop {
namespace {

// On a GPU, reading the loss stalls the queue; read it every this many steps there.
constexpr int64_t kGpuLossReadEvery = 16;

}  // namespace

std::string to_string(StopReason reason) {
  switch (reason) {
    case StopReason::kIterations:
      return "iterations";
    case StopReason::kConverged:
      return "converged";
    case StopReason::kSettled:
      return "settled";
    case StopReason::kTimeBudget:
      return "time budget";
  }
  return "?";
}

Restoration restore(const at::Tensor& observed, const TrainOptions& options,
                    const RunOptions& run) {
  if (run.log_every < 1) throw UsageError("log_every must be >= 1");
  if (run.clean.defined() && run.clean.sizes() != observed.sizes()) {
    std::ostringstream msg;
    msg << "the clean image has shape " << run.clean.sizes() << " but the observed one "
        << observed.sizes();
    throw UsageError(msg.str());
  }
  if (run.checkpoint_every < 0) throw UsageError("checkpoint_every must be >= 0");
  if (!(run.time_budget >= 0.0)) throw UsageError("the time budget must be >= 0 seconds");
  const ConvergenceStop& conv = run.convergence;
  if (conv.enabled && (conv.window < 1 || conv.patience < 1 || !(conv.tolerance > 0.0))) {
    throw UsageError("convergence stop: window and patience must be >= 1, tolerance > 0");
  }
  if (conv.enabled && conv.settle &&
      (conv.settle_by < 2 * conv.window || conv.settle_by % conv.window != 0 ||
       !(conv.settle_tolerance > 0.0))) {
    throw UsageError(
        "convergence stop: settle_by must be a multiple of the window, at least two, and "
        "settle_tolerance > 0");
  }
  Trainer trainer(observed, options, run.device);
  const at::Tensor y = observed.detach().to(at::kCPU, at::kFloat);
  Restoration result;
  result.parameters = trainer.parameter_count();
  result.lr = trainer.lr();
  result.alpha = trainer.alpha();
  const bool checkpointing = !run.checkpoint.empty();
  ConvergenceMonitor convergence(conv);
  if (checkpointing && std::filesystem::exists(run.checkpoint)) {
    ConvergenceState seen;
    result.history = trainer.load_checkpoint(run.checkpoint, &seen);
    result.resumed_from = trainer.iteration();
    convergence.restore(seen);
  }
  const int64_t total = options.iterations;
  const int64_t read_every = run.device.is_cuda() ? kGpuLossReadEvery : 1;
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  // After a resume the clock goes on from the checkpoint's last sample.
  const double offset = result.history.empty() ? 0.0 : result.history.back().seconds;
  double measuring = 0.0;  // seconds spent on PSNR samples, not on training
  // This step's network output f (a crop and a copy) and its composition with DOP's sparse
  // estimate, each taken at most once: the automatic stop, the PSNR sample and the result
  // of the last step share them.
  at::Tensor now;
  std::optional<Composition> composition;
  auto result_now = [&]() -> const at::Tensor& {
    if (!now.defined()) now = trainer.output();
    return now;
  };
  auto composition_now = [&]() -> const Composition& {
    if (!composition) composition = compose(y, result_now(), trainer.corruption());
    return *composition;
  };
  for (int64_t it = trainer.iteration() + 1; it <= total; ++it) {
    const at::Tensor loss = trainer.step();
    bool last = it == total;
    now = at::Tensor();
    composition.reset();
    if (convergence.at_window(it)) {
      // The early end of a composed run costs a composition per window, up to
      // ConvergenceStop::settle_by only.
      const at::Tensor settling = options.method == Method::kDop && convergence.wants_composed(it)
                                      ? composition_now().image
                                      : at::Tensor();
      if (convergence.update(it, result_now(), settling) && !last) {
        last = true;
        result.stop_reason = convergence.settled() ? StopReason::kSettled : StopReason::kConverged;
      }
    }
    if (!last && run.time_budget > 0.0 && seconds() >= run.time_budget) {
      last = true;
      result.stop_reason = StopReason::kTimeBudget;
    }
    const bool sample = it == 1 || it % run.log_every == 0 || last;
    const bool checkpoint_now =
        checkpointing && run.checkpoint_every > 0 && it % run.checkpoint_every == 0 && !last;
    const int stop = run.stop_requested ? run.stop_requested() : 0;
    if (sample || checkpoint_now || stop != 0 || it % read_every == 0) {
      Progress p;
      p.iteration = it;
      p.iterations = total;
      p.change = convergence.change();
      if (convergence.at_window(it)) p.composed_change = convergence.composed_change();
      p.loss = loss.item<double>();
      if (!std::isfinite(p.loss)) {
        std::ostringstream msg;
        msg << "training diverged: the loss became " << p.loss << " at iteration " << it
            << "; lower the step (--lr) or the ratio (--alpha)";
        throw RuntimeError(msg.str());
      }
      if (sample && run.clean.defined()) {
        // The PSNR sample is a measurement, not training: its time (the composition, mostly)
        // is left out of the learning curve's clock.
        const double before = seconds();
        p.psnr = psnr(options.effective_compose() == ComposeMode::kOff ? result_now()
                                                                       : composition_now().image,
                      run.clean);
        measuring += seconds() - before;
      }
      p.seconds = offset + seconds() - measuring;
      if (sample) result.history.push_back(p);
      if (run.on_progress) run.on_progress(p);
    }
    if (checkpointing && (checkpoint_now || stop != 0)) {
      trainer.save_checkpoint(run.checkpoint, result.history, convergence.state());
    }
    if (stop != 0) {
      std::ostringstream msg;
      msg << "stopped by signal " << stop << " after iteration " << it << " of " << total;
      if (checkpointing)
        msg << "; rerun the same command to resume from '" << run.checkpoint.string() << "'";
      throw Interrupted(msg.str(), stop);
    }
    if (last) break;
  }
  result.iterations = trainer.iteration();
  result.network_output = now.defined() ? now : trainer.output();
  result.corruption = trainer.corruption();
  finish_result(result, y, options, composition ? &*composition : nullptr);
  result.seconds = seconds();  // the composition included: it is part of the user's wait
  return result;
}

void finish_result(Restoration& result, const at::Tensor& observed, const TrainOptions& options,
                   const Composition* made) {
  result.composed = options.effective_compose() == ComposeMode::kAuto;
  if (!result.composed) {
    result.image = result.network_output;
    return;
  }
  const Composition c = made != nullptr ? *made
                                        : compose(observed.detach().to(at::kCPU, at::kFloat),
                                                  result.network_output, result.corruption);
  result.image = c.image;
  result.damaged_fraction = c.damaged_fraction;
  result.damage = c.weight.to(at::kCPU);
  result.noise_level = c.noise_level;
}

}  // namespace dop
