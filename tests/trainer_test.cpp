#include "dop/trainer.hpp"
#include "dop/presets.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/types.h>

#include "dop/error.hpp"
#include "test_util.hpp"

namespace dop {
namespace {

TrainOptions small_options();

// α = 0 follows the image: 300 at 3×128×128 and ∝ sqrt(C·H·W) above, 250 at 64×64, 500·s
// below; an explicit α is kept.
TEST(TrainOptions, AutomaticAlphaScalesWithTheSquareRootOfTheSize) {
  TrainOptions o;
  EXPECT_DOUBLE_EQ(o.effective_alpha(3 * 128 * 128), 300.0);
  EXPECT_DOUBLE_EQ(o.effective_alpha(3 * 256 * 256), 600.0);
  EXPECT_DOUBLE_EQ(o.effective_alpha(3 * 512 * 512), 1200.0);
  EXPECT_DOUBLE_EQ(o.effective_alpha(3 * 64 * 64), 250.0);
  EXPECT_NEAR(o.effective_alpha(128 * 128), 250.0, 1e-9);
  EXPECT_DOUBLE_EQ(o.effective_alpha(3 * 32 * 32), 125.0);
  o.alpha = 42.0;
  EXPECT_DOUBLE_EQ(o.effective_alpha(3 * 512 * 512), 42.0);
  const at::Tensor y = test::smooth_image(3, 64, 64);
  EXPECT_DOUBLE_EQ(Trainer(y, small_options()).alpha(), 250.0);
}

// τ = 0 is 2s (s the size factor) and at least 1, for DOP only; an explicit τ is kept.
TEST(TrainOptions, AutomaticStepGrowsWithTheSize) {
  TrainOptions o;
  EXPECT_DOUBLE_EQ(o.effective_lr(3 * 32 * 32), 1.0);
  EXPECT_DOUBLE_EQ(o.effective_lr(3 * 64 * 64), 1.0);
  EXPECT_NEAR(o.effective_lr(128 * 128), 2.0 / std::sqrt(3.0), 1e-9);
  EXPECT_DOUBLE_EQ(o.effective_lr(3 * 128 * 128), 2.0);
  EXPECT_DOUBLE_EQ(o.effective_lr(3 * 256 * 256), 4.0);
  EXPECT_DOUBLE_EQ(o.effective_lr(3 * 512 * 512), 8.0);
  // α·τ/N, the g, h step per element, is the same from 128×128 up.
  for (int64_t side : {128, 256, 512}) {
    const int64_t n = 3 * side * side;
    EXPECT_NEAR(o.effective_lr(n) * o.effective_alpha(n) / static_cast<double>(n),
                600.0 / (3 * 128 * 128), 1e-12)
        << side;
  }
  // Below, the g, h step is 500·s, as α 250 with τ 1 at 64×64 (continuous in between).
  for (int64_t side : {16, 64, 96}) {
    const int64_t n = 3 * side * side;
    EXPECT_NEAR(o.effective_lr(n) * o.effective_alpha(n), 500.0 * size_factor(n), 1e-9) << side;
  }
  o.lr = 0.5;
  EXPECT_DOUBLE_EQ(o.effective_lr(3 * 512 * 512), 0.5);
  o.lr = 0.0;
  o.method = Method::kDip;
  EXPECT_DOUBLE_EQ(o.effective_lr(3 * 512 * 512), 0.01);
  const at::Tensor y = test::smooth_image(3, 64, 64);
  EXPECT_DOUBLE_EQ(Trainer(y, small_options()).lr(), 1.0);
}

// Trainers in several threads at once (dop-bench --jobs, one image per GPU) draw the same
// random numbers as one at a time: each result depends on its seed alone.
TEST(Trainer, ConcurrentTrainersMatchSequentialOnes) {
  const at::Tensor y = test::smooth_image(3, 16, 16);
  auto run = [&](uint64_t seed) {
    TrainOptions o = small_options();
    o.seed = seed;
    Trainer t(y, o);
    for (int i = 0; i < 5; ++i) t.step();
    return t.output();
  };
  const at::Tensor a = run(1);
  const at::Tensor b = run(2);
  std::vector<at::Tensor> parallel(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&, i] { parallel[i] = run(1 + i % 2); });
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(at::equal(parallel[i], i % 2 == 0 ? a : b)) << i;
  EXPECT_FALSE(at::equal(a, b));
}

// bf16: the network computes in bfloat16 (the losses differ from float32 but stay close),
// what the trainer hands out and keeps is float32, and autocast ends with the forward pass.
TEST(Trainer, BFloat16RunsTheNetworkInBFloat16AndKeepsTheRestInFloat32) {
  const at::Tensor y = test::smooth_image(3, 64, 64);
  TrainOptions o = small_options();
  Trainer full(y, o);
  o.precision = Precision::kBFloat16;
  Trainer half(y, o);
  double largest_difference = 0.0;
  for (int i = 0; i < 5; ++i) {
    const double a = full.step().item<double>();
    const double b = half.step().item<double>();
    ASSERT_TRUE(std::isfinite(b));
    EXPECT_NEAR(b, a, 0.05 * a) << "step " << i;
    largest_difference = std::max(largest_difference, std::abs(a - b));
  }
  EXPECT_GT(largest_difference, 0.0);  // bfloat16 rounding: not the float32 numbers
  EXPECT_EQ(half.output().scalar_type(), at::kFloat);
  EXPECT_EQ(half.corruption().scalar_type(), at::kFloat);
  const at::Tensor x = at::rand({1, 2, 8, 8});
  EXPECT_EQ(at::conv2d(x, at::rand({2, 2, 3, 3})).scalar_type(), at::kFloat);  // autocast off
  EXPECT_EQ(parse_precision(to_string(Precision::kTF32)), Precision::kTF32);
  EXPECT_THROW(parse_precision("fp8"), UsageError);
}

TrainOptions small_options() {
  TrainOptions o;
  o.iterations = 10;
  o.network.width = 4;
  o.network.scales = 2;
  return o;
}

std::vector<at::Tensor> clones(const std::vector<at::Tensor>& ts) {
  std::vector<at::Tensor> out;
  for (const auto& t : ts) out.push_back(t.detach().clone());
  return out;
}

// θ ← θ − τ∇θL and g,h ← g,h − ατ∇L, with L = mean (y − f(θ; z) − (g⊙g − h⊙h))².
TEST(Trainer, OneStepIsGradientDescentWithDiscrepantRates) {
  TrainOptions o = small_options();
  o.input_jitter = 0.0;  // f(θ; z) is then deterministic and can be recomputed here
  o.lr = 0.3;
  o.alpha = 7.0;
  o.sparse_init_scale = 0.05;
  const at::Tensor y = test::smooth_image(3, 13, 11);
  Trainer trainer(y, o);

  std::vector<at::Tensor> params = trainer.network()->parameters();
  params.push_back(trainer.sparse()->g());
  params.push_back(trainer.sparse()->h());
  const auto before = clones(params);
  const at::Tensor& g = trainer.sparse()->g();
  const at::Tensor& h = trainer.sparse()->h();
  const at::Tensor pred = trainer.network()->forward(trainer.input()) + g * g - h * h;
  const at::Tensor loss = (pred - trainer.target()).pow(2).mean();
  const auto grads = torch::autograd::grad({loss}, params);

  const at::Tensor reported = trainer.step();
  EXPECT_NEAR(reported.item<double>(), loss.item<double>(), 1e-7);
  for (size_t i = 0; i < params.size(); ++i) {
    const double step = i + 2 >= params.size() ? o.alpha * o.lr : o.lr;
    EXPECT_TRUE(torch::allclose(params[i], before[i] - step * grads[i], 1e-5, 1e-7))
        << "parameter " << i;
  }
  EXPECT_EQ(trainer.iteration(), 1);
}

TEST(Trainer, OutputAndCorruptionHaveTheObservedShape) {
  for (auto [c, h, w] :
       {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {1, 1, 7}, {3, 37, 45}, {2, 9, 3}}) {
    const at::Tensor y = test::smooth_image(c, h, w);
    Trainer trainer(y, small_options());
    trainer.step();
    EXPECT_EQ(trainer.output().sizes(), y.sizes());
    EXPECT_EQ(trainer.corruption().sizes(), y.sizes());
    EXPECT_GE(trainer.output().min().item<float>(), 0.0f);
    EXPECT_LE(trainer.output().max().item<float>(), 1.0f);
  }
}

TEST(Trainer, CountsNetworkAndSparseParameters) {
  const at::Tensor y =
      test::smooth_image(3, 40, 40);  // 2 scales: sides multiple of 4, so no padding
  Trainer dop(y, small_options());
  TrainOptions dip_options = small_options();
  dip_options.method = Method::kDip;
  Trainer dip(y, dip_options);
  EXPECT_EQ(dop.parameter_count() - dip.parameter_count(), 2 * 3 * 40 * 40);
}

TEST(Trainer, SameSeedSameResult) {
  const at::Tensor y = test::smooth_image(3, 20, 20);
  const Restoration a = restore(y, small_options());
  const Restoration b = restore(y, small_options());
  EXPECT_TRUE(torch::equal(a.image, b.image));
  EXPECT_TRUE(torch::equal(a.corruption, b.corruption));
  TrainOptions other = small_options();
  other.seed = 1;
  EXPECT_FALSE(torch::equal(restore(y, other).image, a.image));
}

TEST(Trainer, BaselinesFitWithAdamAndHaveNoSparseTerm) {
  const at::Tensor y = test::smooth_image(3, 16, 16);
  for (Method m : {Method::kDip, Method::kDipL1}) {
    TrainOptions o = small_options();
    o.method = m;
    o.iterations = 40;
    EXPECT_DOUBLE_EQ(o.effective_lr(3 * 16 * 16), 0.01);
    RunOptions run;
    run.log_every = 39;
    const Restoration r = restore(y, o, run);
    ASSERT_EQ(r.history.size(), 3u);  // iterations 1, 39, 40
    EXPECT_LT(r.history.back().loss, 0.5 * r.history.front().loss) << to_string(m);
    EXPECT_EQ(r.corruption.abs().max().item<float>(), 0.0f);
  }
}

TEST(Trainer, HistorySamplesAndPsnr) {
  const at::Tensor clean = test::smooth_image(1, 16, 16);
  TrainOptions o = small_options();
  o.iterations = 12;
  RunOptions run;
  run.clean = clean;
  run.log_every = 5;
  int calls = 0;
  run.on_progress = [&](const Progress& p) {
    ++calls;
    EXPECT_EQ(p.iterations, 12);
  };
  const Restoration r = restore(clean, o, run);
  std::vector<int64_t> at;
  for (const auto& p : r.history) {
    at.push_back(p.iteration);
    EXPECT_TRUE(std::isfinite(p.psnr));
  }
  EXPECT_EQ(at, (std::vector<int64_t>{1, 5, 10, 12}));
  EXPECT_EQ(calls, 12);  // every step on the CPU
  EXPECT_EQ(r.iterations, 12);
}

TEST(Trainer, PresetsAreValidAndPaperIsThePublishedSchedule) {
  for (Preset p : {Preset::kFast, Preset::kBalanced, Preset::kPaper}) {
    EXPECT_NO_THROW(preset_options(p).validate()) << to_string(p);
    EXPECT_EQ(parse_preset(to_string(p)), p);
  }
  const TrainOptions paper = preset_options(Preset::kPaper);
  EXPECT_EQ(paper.iterations, 150000);
  EXPECT_EQ(paper.network.width, 128);
  EXPECT_EQ(paper.effective_lr(3 * 512 * 512), 1.0);
  EXPECT_EQ(paper.alpha, 500.0);
  EXPECT_EQ(paper.sparse_init_scale, 1e-5);
  EXPECT_FALSE(preset_stops_when_converged(Preset::kPaper));
  EXPECT_LT(preset_options(Preset::kFast).network.width,
            preset_options(Preset::kBalanced).network.width);
  // The presets' last iterations are already on the log-form decaying step; the paper's are
  // constant.
  for (Preset p : {Preset::kFast, Preset::kBalanced}) {
    const TrainOptions o = preset_options(p);
    EXPECT_GT(o.lr_decay_start, 0) << to_string(p);
    EXPECT_LT(o.lr_decay_start, o.iterations) << to_string(p);
    EXPECT_EQ(o.lr_decay, StepDecay::kInverseLog) << to_string(p);
  }
  EXPECT_EQ(paper.lr_decay_start, 0);
  EXPECT_THROW(parse_preset("quick"), UsageError);
}

// The average does not change the training: it is exactly a bias-corrected moving average
// of the outputs an unaveraged twin run produces, step by step.
TEST(Trainer, OutputAverageIsTheMovingAverageOfTheOutputs) {
  const at::Tensor y = test::smooth_image(3, 20, 18);
  TrainOptions o = small_options();
  TrainOptions averaged = o;
  averaged.output_average = 0.8;
  Trainer plain(y, o);
  Trainer smooth(y, averaged);
  at::Tensor sum = at::zeros_like(y);
  double weight = 0.0;
  for (int step = 1; step <= 6; ++step) {
    plain.step();
    smooth.step();
    sum = 0.8 * sum + 0.2 * plain.output();
    weight = 0.8 * weight + 0.2;
    ASSERT_TRUE(at::allclose(smooth.output(), sum / weight, 1e-5, 1e-6)) << "step " << step;
  }
  EXPECT_FALSE(at::allclose(smooth.output(), plain.output(), 1e-4, 1e-4));
  averaged.output_average = 1.0;
  EXPECT_THROW(Trainer(y, averaged), UsageError);
}

// The decay factor: 1 up to the start (and without one); then S/t, or S/(t·(1 + ln(t/S))).
TEST(TrainOptions, StepDecayFactor) {
  for (StepDecay d : {StepDecay::kInverse, StepDecay::kInverseLog}) {
    EXPECT_EQ(parse_step_decay(to_string(d)), d);
    EXPECT_EQ(step_decay_factor(2000, 2000, d), 1.0);
    EXPECT_EQ(step_decay_factor(1, 2000, d), 1.0);
    EXPECT_EQ(step_decay_factor(9000, 0, d), 1.0);
  }
  EXPECT_DOUBLE_EQ(step_decay_factor(6000, 2000, StepDecay::kInverse), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(step_decay_factor(6000, 2000, StepDecay::kInverseLog),
                   1.0 / (3.0 * (1.0 + std::log(3.0))));
  // From S to 3S the log form moves the parameters ln(1 + ln 3)/ln 3 ≈ 0.68 as far as S/t.
  double inverse = 0.0;
  double log_form = 0.0;
  for (int64_t t = 2001; t <= 6000; ++t) {
    inverse += step_decay_factor(t, 2000, StepDecay::kInverse);
    log_form += step_decay_factor(t, 2000, StepDecay::kInverseLog);
  }
  EXPECT_NEAR(log_form / inverse, std::log(1.0 + std::log(3.0)) / std::log(3.0), 1e-3);
  EXPECT_THROW(parse_step_decay("cosine"), UsageError);
}

// A name that is not one of the choices gets a message that lists them all.
TEST(TrainOptions, UnknownNamesListTheChoices) {
  auto message = [](auto parse, const char* name) -> std::string {
    try {
      parse(name);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message(parse_method, "dopp"), "unknown method 'dopp': use dop, dip or dip-l1");
  EXPECT_EQ(message(parse_preset, "quick"), "unknown preset 'quick': use fast, balanced or paper");
  EXPECT_EQ(message(parse_step_decay, "cosine"),
            "unknown step decay 'cosine': use inverse or inverse-log");
}

// After lr_decay_start both steps shrink by the decay factor: from the same state and the
// same gradient (same seeds), step 2 with start 1 moves every parameter 1/2 as far (S/t),
// or 1/(2(1 + ln 2)) (the log form).
TEST(Trainer, StepDecayScalesBothStepsAlike) {
  const at::Tensor y = test::smooth_image(3, 20, 18);
  TrainOptions o = small_options();
  for (auto [decay, scale] : {std::pair{StepDecay::kInverse, 0.5},
                              std::pair{StepDecay::kInverseLog, 0.5 / (1.0 + std::log(2.0))}}) {
    TrainOptions decaying = o;
    decaying.lr_decay_start = 1;
    decaying.lr_decay = decay;
    Trainer constant(y, o);
    Trainer decayed(y, decaying);
    constant.step();
    decayed.step();
    const at::Tensor g1 = decayed.sparse()->g().detach().clone();
    const at::Tensor w1 = decayed.network()->parameters()[0].detach().clone();
    ASSERT_TRUE(at::equal(g1, constant.sparse()->g()));
    constant.step();
    decayed.step();
    // Each step is compared as a whole: the difference of two float parameters rounds to
    // the parameter's precision, not the step's.
    auto same_step = [scale = scale](const at::Tensor& part, const at::Tensor& full) {
      const double size = full.abs().max().item<double>();
      return size > 0 && (part - full * scale).abs().max().item<double>() < 1e-3 * size;
    };
    EXPECT_TRUE(same_step(decayed.sparse()->g() - g1, constant.sparse()->g() - g1))
        << to_string(decay);
    EXPECT_TRUE(same_step(decayed.network()->parameters()[0] - w1,
                          constant.network()->parameters()[0] - w1))
        << to_string(decay);
  }
  TrainOptions bad = o;
  bad.lr_decay_start = -1;
  EXPECT_THROW(Trainer(y, bad), UsageError);
}

TEST(Trainer, TimeBudgetStopsEarlyWithTheLatestOutput) {
  const at::Tensor clean = test::smooth_image(1, 16, 16);
  TrainOptions o = small_options();
  o.iterations = 1000000;
  RunOptions run;
  run.time_budget = 0.3;
  const Restoration r = restore(clean, o, run);
  EXPECT_EQ(r.stop_reason, StopReason::kTimeBudget);
  EXPECT_LT(r.iterations, o.iterations);
  EXPECT_GE(r.iterations, 1);
  EXPECT_EQ(r.history.back().iteration, r.iterations);  // the last step is sampled
  EXPECT_EQ(r.image.sizes(), clean.sizes());
  run.time_budget = -1;
  EXPECT_THROW(restore(clean, o, run), UsageError);
}

TEST(Trainer, ConvergenceStopEndsOnceTheOutputIsStill) {
  const at::Tensor clean = test::smooth_image(1, 16, 16);
  TrainOptions o = small_options();
  o.iterations = 400;
  o.input_jitter = 0.0;  // a still target and input: the output settles
  RunOptions run;
  run.convergence.enabled = true;
  run.convergence.window = 10;
  run.convergence.patience = 2;
  run.convergence.tolerance = 1.0;  // any change is small enough
  run.convergence.min_iterations = 50;
  const Restoration r = restore(clean, o, run);
  EXPECT_EQ(r.stop_reason, StopReason::kConverged);
  EXPECT_EQ(r.iterations, 50);  // first window boundary past the minimum with 2 quiet windows
  EXPECT_TRUE(std::isfinite(r.history.back().change));

  run.convergence.tolerance = 1e-12;  // never still enough: all iterations run
  o.iterations = 60;
  const Restoration all = restore(clean, o, run);
  EXPECT_EQ(all.stop_reason, StopReason::kIterations);
  EXPECT_EQ(all.iterations, 60);
  run.convergence.window = 0;
  EXPECT_THROW(restore(clean, o, run), UsageError);
}

TEST(Trainer, AComposedRunWhoseDamageIsFoundAtOnceSettles) {
  TrainOptions o = small_options();
  o.iterations = 200;
  o.compose = ComposeMode::kAuto;
  RunOptions run;
  run.convergence = default_convergence_stop(ComposeMode::kAuto);
  run.convergence.enabled = true;
  run.convergence.window = 10;
  run.convergence.settle_by = 40;
  run.convergence.tolerance = 1e-12;  // the output's own stop never ends these runs
  // A clean image: the composed result changes by at most 0.014 per window here.
  const at::Tensor clean = test::smooth_image(3, 32, 32);
  run.convergence.settle_tolerance = 0.05;
  const Restoration still = restore(clean, o, run);
  EXPECT_EQ(still.stop_reason, StopReason::kSettled);
  EXPECT_EQ(still.iterations, 40);
  EXPECT_EQ(to_string(still.stop_reason), "settled");
  run.convergence.settle_tolerance = 0.001;  // too little for it: it runs to the end
  EXPECT_EQ(restore(clean, o, run).iterations, 200);
  run.convergence.settle_tolerance = 0.05;
  // Not composed (or not DOP): nothing settles. (The monitor's own test has a composed
  // result that keeps changing.)
  o.compose = ComposeMode::kOff;
  run.convergence.settle = false;
  EXPECT_EQ(restore(clean, o, run).iterations, 200);
  run.convergence.settle = true;
  o.method = Method::kDip;
  EXPECT_EQ(restore(clean, o, run).iterations, 200);
  run.convergence.settle_by = 45;  // not a multiple of the window
  EXPECT_THROW(restore(clean, o, run), UsageError);
}

TEST(Trainer, NonFiniteLossStopsWithAClearError) {
  TrainOptions o = small_options();
  o.lr = 1e6;
  o.alpha = 1e6;
  o.sparse_init_scale = 1.0;
  try {
    restore(test::smooth_image(3, 16, 16), o);
    FAIL() << "expected dop::RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("iteration"), std::string::npos) << e.what();
  }
}

TEST(Trainer, RejectsInvalidSettings) {
  const at::Tensor y = test::smooth_image(3, 8, 8);
  auto with = [](auto change) {
    TrainOptions o;
    change(o);
    return o;
  };
  EXPECT_THROW(Trainer(y, with([](TrainOptions& o) { o.iterations = 0; })), UsageError);
  EXPECT_THROW(Trainer(y, with([](TrainOptions& o) { o.alpha = -1; })), UsageError);
  EXPECT_THROW(Trainer(y, with([](TrainOptions& o) { o.lr = -1; })), UsageError);
  EXPECT_THROW(Trainer(y, with([](TrainOptions& o) { o.network.width = 0; })), UsageError);
  EXPECT_THROW(Trainer(y, with([](TrainOptions& o) { o.alpha = NAN; })), UsageError);
  EXPECT_THROW(Trainer(y, with([](TrainOptions& o) { o.alpha = 1e30, o.lr = 1e30; })), UsageError);
  EXPECT_THROW(Trainer(at::zeros({3, 0, 4}), TrainOptions{}), UsageError);
  EXPECT_THROW(parse_method("dop2"), UsageError);
  EXPECT_EQ(parse_method("dip-l1"), Method::kDipL1);
}

}  // namespace
}  // namespace dop

namespace dop {
namespace {

// Interrupted after `stop_after` steps, then resumed from the checkpoint: the same result,
// bit for bit, as one uninterrupted run (CPU, same threads).
void expect_resume_is_exact(Method method, double output_average = 0.0) {
  test::TempDir dir;
  const at::Tensor y = test::smooth_image(3, 20, 18);
  TrainOptions o = small_options();
  o.method = method;
  o.output_average = output_average;
  o.iterations = 12;
  RunOptions straight_run;
  straight_run.log_every = 3;
  const Restoration straight = restore(y, o, straight_run);

  RunOptions run = straight_run;
  run.checkpoint = dir / "run.ckpt";
  run.checkpoint_every = 4;
  int steps = 0;
  run.stop_requested = [&] { return ++steps == 7 ? 2 : 0; };
  try {
    restore(y, o, run);
    FAIL() << "not interrupted";
  } catch (const Interrupted& e) {
    EXPECT_EQ(e.signal(), 2);
    EXPECT_NE(std::string(e.what()).find("after iteration 7 of 12"), std::string::npos) << e.what();
  }
  ASSERT_TRUE(std::filesystem::exists(run.checkpoint));
  run.stop_requested = nullptr;
  const Restoration resumed = restore(y, o, run);
  EXPECT_EQ(resumed.resumed_from, 7);
  EXPECT_EQ(resumed.iterations, 12);
  EXPECT_TRUE(at::equal(resumed.image, straight.image));
  EXPECT_TRUE(at::equal(resumed.corruption, straight.corruption));
  ASSERT_EQ(resumed.history.size(), straight.history.size());
  for (size_t i = 0; i < straight.history.size(); ++i) {
    EXPECT_EQ(resumed.history[i].iteration, straight.history[i].iteration);
    EXPECT_EQ(resumed.history[i].loss, straight.history[i].loss);
  }
}

TEST(Checkpoint, DopResumesExactly) { expect_resume_is_exact(Method::kDop); }
TEST(Checkpoint, DipWithAdamResumesExactly) { expect_resume_is_exact(Method::kDip); }
TEST(Checkpoint, OutputAverageResumesExactly) { expect_resume_is_exact(Method::kDop, 0.9); }

// The automatic stop's state travels in the checkpoint: a run interrupted between its
// first check and the settling one still settles where an uninterrupted run does, and one
// interrupted past the output's quiet windows still stops where it would have.
TEST(Checkpoint, TheAutomaticStopResumesWhereItWas) {
  test::TempDir dir;
  const at::Tensor y = test::smooth_image(3, 32, 32);
  TrainOptions o = small_options();
  o.iterations = 200;
  o.compose = ComposeMode::kAuto;
  RunOptions straight_run = {};
  straight_run.convergence = default_convergence_stop(ComposeMode::kAuto);
  straight_run.convergence.enabled = true;
  straight_run.convergence.window = 10;
  straight_run.convergence.settle_by = 40;
  straight_run.convergence.settle_tolerance = 0.05;
  // The output's own stop: every window quiet, so it stops at 40 after three of them
  // (a resumed run that forgot the windows before would count again and stop at 60).
  straight_run.convergence.tolerance = 1.0;
  straight_run.convergence.min_iterations = 40;
  for (const bool settle : {true, false}) {
    straight_run.convergence.settle = settle;
    const Restoration straight = restore(y, o, straight_run);
    ASSERT_EQ(straight.stop_reason, settle ? StopReason::kSettled : StopReason::kConverged);
    RunOptions run = straight_run;
    run.checkpoint = dir / (settle ? "settle.ckpt" : "converge.ckpt");
    int steps = 0;
    run.stop_requested = [&] { return ++steps == 25 ? 2 : 0; };
    EXPECT_THROW(restore(y, o, run), Interrupted);
    run.stop_requested = nullptr;
    const Restoration resumed = restore(y, o, run);
    EXPECT_EQ(resumed.resumed_from, 25);
    EXPECT_EQ(resumed.stop_reason, straight.stop_reason);
    EXPECT_EQ(resumed.iterations, straight.iterations);
    EXPECT_TRUE(at::equal(resumed.image, straight.image));
  }
}

TEST(Checkpoint, RefusesOtherSettingsOtherImagesAndGarbage) {
  test::TempDir dir;
  const at::Tensor y = test::smooth_image(3, 20, 18);
  TrainOptions o = small_options();
  o.alpha = 500.0;
  Trainer t(y, o);
  t.step();
  const auto path = dir / "a.ckpt";
  t.save_checkpoint(path, {});

  TrainOptions other = o;
  other.alpha = 123.0;
  Trainer t2(y, other);
  try {
    t2.load_checkpoint(path);
    FAIL() << "accepted another alpha";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("alpha 500, this run has 123"), std::string::npos)
        << e.what();
  }
  Trainer t3(y * 0.5, o);
  EXPECT_THROW(t3.load_checkpoint(path), UsageError);  // another observation
  Trainer t4(y, o);
  EXPECT_NO_THROW(t4.load_checkpoint(path));
  EXPECT_EQ(t4.iteration(), 1);

  std::ofstream(dir / "junk.ckpt") << "not a checkpoint";
  EXPECT_THROW(t4.load_checkpoint(dir / "junk.ckpt"), InputError);
  EXPECT_THROW(t4.load_checkpoint(dir / "missing.ckpt"), InputError);
}

}  // namespace
}  // namespace dop
