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

}  // namespace
}  // namespace dop
