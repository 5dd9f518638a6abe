// The automatic stop: the RMS change of the output over a window, below the tolerance for
// `patience` windows in a row, after at least `min_iterations`.
#include "dop/convergence.hpp"

#include <cmath>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace dop {
namespace {

TEST(ConvergenceMonitor, MeasuresTheRmsChangeOverAWindow) {
  ConvergenceStop stop;
  stop.window = 10;
  ConvergenceMonitor m(stop);
  EXPECT_FALSE(m.at_window(9));
  EXPECT_TRUE(m.at_window(20));
  EXPECT_TRUE(std::isnan(m.change()));
  m.update(10, at::zeros({3, 4, 4}));
  EXPECT_TRUE(std::isnan(m.change())) << "no change before a second window ends";
  m.update(20, at::full({3, 4, 4}, 0.5));
  EXPECT_NEAR(m.change(), 0.5, 1e-7);
  at::Tensor half = at::zeros({3, 4, 4});
  half.narrow(0, 0, 1).fill_(1.0);  // every sample moves by 0.5: up in one channel, down in two
  m.update(30, half);
  EXPECT_NEAR(m.change(), 0.5, 1e-7);
}

TEST(ConvergenceMonitor, StopsAfterPatienceQuietWindowsAndTheMinimum) {
  ConvergenceStop stop;
  stop.enabled = true;
  stop.window = 10;
  stop.tolerance = 0.01;
  stop.patience = 2;
  stop.min_iterations = 50;
  ConvergenceMonitor m(stop);
  const at::Tensor x = at::full({1, 2, 2}, 0.3);
  EXPECT_FALSE(m.update(10, x));
  EXPECT_FALSE(m.update(20, x));  // one quiet window
  EXPECT_FALSE(m.update(30, x));  // two, but before the minimum
  EXPECT_FALSE(m.update(40, x + 0.1)) << "a loud window starts the count again";
  EXPECT_FALSE(m.update(50, x + 0.1));
  EXPECT_TRUE(m.update(60, x + 0.1));

  stop.enabled = false;  // measured and reported, never stopping
  ConvergenceMonitor off(stop);
  for (int64_t t = 10; t <= 100; t += 10) EXPECT_FALSE(off.update(t, x));
  EXPECT_EQ(off.change(), 0.0);
}

TEST(ConvergenceMonitor, AComposedResultStillFromTheFirstWindowSettles) {
  ConvergenceStop stop = default_convergence_stop(ComposeMode::kAuto);
  EXPECT_TRUE(stop.settle);
  EXPECT_FALSE(default_convergence_stop(ComposeMode::kOff).settle);
  EXPECT_FALSE(stop.enabled) << "enabling is the caller's choice";
  stop.enabled = true;
  stop.window = 10;
  stop.settle_by = 40;
  stop.settle_tolerance = 0.01;
  stop.tolerance = 1e-9;  // the output keeps moving: only the composed result can settle
  const at::Tensor c = at::full({1, 2, 2}, 0.3);
  auto output = [](int64_t t) { return at::full({1, 2, 2}, 0.001 * static_cast<double>(t)); };

  ConvergenceMonitor still(stop);
  for (int64_t t = 10; t < 40; t += 10) {
    EXPECT_TRUE(still.wants_composed(t));
    EXPECT_FALSE(still.update(t, output(t), c + 0.001 * static_cast<double>(t / 10)));
    if (t == 10) {
      EXPECT_TRUE(std::isnan(still.composed_change())) << "nothing to compare with yet";
    } else {
      EXPECT_NEAR(still.composed_change(), 0.001, 1e-6);
    }
  }
  EXPECT_TRUE(still.update(40, output(40), c + 0.004));
  EXPECT_TRUE(still.settled());
  EXPECT_FALSE(still.wants_composed(50)) << "only up to settle_by";

  ConvergenceMonitor loud(stop);  // one loud window, even the first, and it never settles
  EXPECT_FALSE(loud.update(10, output(10), c));
  EXPECT_FALSE(loud.update(20, output(20), c + 0.1));
  EXPECT_NEAR(loud.composed_change(), 0.1, 1e-6);
  EXPECT_FALSE(loud.wants_composed(30));
  EXPECT_FALSE(loud.update(30, output(30)));
  EXPECT_TRUE(std::isnan(loud.composed_change())) << "measured only while it may settle";
  EXPECT_FALSE(loud.update(40, output(40)));
  EXPECT_FALSE(loud.settled());

  ConvergenceMonitor resumed(stop);  // the first windows not seen (a resumed run)
  EXPECT_FALSE(resumed.update(30, output(30), c));
  EXPECT_FALSE(resumed.update(40, output(40), c));

  stop.enabled = false;
  ConvergenceMonitor off(stop);
  EXPECT_FALSE(off.wants_composed(10));
}

}  // namespace
}  // namespace dop
