#include "dop/batch.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "dop/error.hpp"
#include "test_util.hpp"

namespace dop {
namespace {

namespace fs = std::filesystem;

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

TEST(PlanBatch, SortedImagesOnlyWithMirroredOutputs) {
  test::TempDir dir;
  const fs::path in = dir.path() / "in";
  for (const char* f : {"b.png", "a.JPG", "notes.txt", ".hidden.png", "sub/c.tif", "sub/d.png"})
    touch(in / f);
  const auto flat = plan_batch(in, dir.path() / "out");
  ASSERT_EQ(flat.size(), 2u);
  EXPECT_EQ(flat[0].input, in / "a.JPG");
  EXPECT_EQ(flat[0].output, dir.path() / "out" / "a.JPG");
  EXPECT_EQ(flat[1].input, in / "b.png");

  const auto deep = plan_batch(in, dir.path() / "out", {true, "png"});
  ASSERT_EQ(deep.size(), 4u);
  EXPECT_EQ(deep[0].output, dir.path() / "out" / "a.png");
  EXPECT_EQ(deep[2].input, in / "sub" / "c.tif");
  EXPECT_EQ(deep[2].output, dir.path() / "out" / "sub" / "c.png");
}

TEST(PlanBatch, RefusesTwoInputsForOneOutputAndAMissingFolder) {
  test::TempDir dir;
  touch(dir.path() / "in" / "a.png");
  touch(dir.path() / "in" / "a.jpg");
  EXPECT_THROW(plan_batch(dir.path() / "in", dir.path() / "out", {false, "png"}), UsageError);
  EXPECT_EQ(plan_batch(dir.path() / "in", dir.path() / "out").size(), 2u);
  EXPECT_THROW(plan_batch(dir.path() / "missing", dir.path() / "out"), InputError);
  EXPECT_THROW(plan_batch(dir.path() / "in" / "a.png", dir.path() / "out"), InputError);
}

TEST(Shard, ParsesKOverN) {
  const Shard s = parse_shard("3/8");
  EXPECT_EQ(s.index, 3u);
  EXPECT_EQ(s.count, 8u);
  for (const char* bad : {"", "3", "0/4", "5/4", "1/0", "a/b", "1/2/3", "-1/4", "/4", "2/"})
    EXPECT_THROW(parse_shard(bad), UsageError) << bad;
}

// Shards 1/N … N/N are disjoint and cover every position exactly once, for any size.
TEST(Shard, PartsAreDisjointAndCoverTheList) {
  for (std::size_t size : {0u, 1u, 5u, 17u, 100u}) {
    for (std::size_t n : {1u, 2u, 3u, 7u, 16u}) {
      std::multiset<std::size_t> seen;
      std::size_t largest = 0, smallest = size;
      for (std::size_t k = 1; k <= n; ++k) {
        const auto part = shard_positions(size, {k, n});
        seen.insert(part.begin(), part.end());
        largest = std::max(largest, part.size());
        smallest = std::min(smallest, part.size());
      }
      ASSERT_EQ(seen.size(), size) << size << " " << n;
      for (std::size_t i = 0; i < size; ++i) EXPECT_EQ(seen.count(i), 1u);
      EXPECT_LE(largest - smallest, 1u);  // balanced
    }
  }
}

TEST(RunOnDevices, EveryIndexOnceAndOneTaskPerDeviceAtATime) {
  const std::vector<c10::Device> devices{c10::Device(c10::kCPU), c10::Device(c10::kCPU),
                                         c10::Device(c10::kCPU)};
  std::mutex m;
  std::multiset<std::size_t> done;
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  run_on_devices(20, devices, [&](std::size_t i, c10::Device) {
    const int now = ++running;
    int prev = most.load();
    while (now > prev && !most.compare_exchange_weak(prev, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    --running;
    std::lock_guard<std::mutex> lock(m);
    done.insert(i);
  });
  ASSERT_EQ(done.size(), 20u);
  for (std::size_t i = 0; i < 20; ++i) EXPECT_EQ(done.count(i), 1u);
  EXPECT_LE(most.load(), 3);
  EXPECT_GE(most.load(), 2);  // the devices did work side by side
}

TEST(RunOnDevices, FirstErrorStopsTheRestAndIsRethrown) {
  // One device runs in order: nothing after the failing task starts.
  std::atomic<int> calls{0};
  const auto fail_at_3 = [&](std::size_t i, c10::Device) {
    ++calls;
    if (i == 3) throw std::runtime_error("boom");
  };
  EXPECT_THROW(run_on_devices(100, {c10::Device(c10::kCPU)}, fail_at_3), std::runtime_error);
  EXPECT_EQ(calls.load(), 4);

  // Two devices: the other worker may finish the task it holds, but takes no new
  // ones once the error is known. Its tasks wait for the error and then take a
  // while, so that finishing all 100 would need the error to go unseen for ~1 s.
  calls = 0;
  std::atomic<bool> thrown{false};
  const std::vector<c10::Device> devices(2, c10::Device(c10::kCPU));
  EXPECT_THROW(run_on_devices(100, devices,
                              [&](std::size_t i, c10::Device) {
                                ++calls;
                                if (i == 3) {
                                  thrown = true;
                                  throw std::runtime_error("boom");
                                }
                                if (i > 3) {
                                  while (!thrown) std::this_thread::yield();
                                  std::this_thread::sleep_for(std::chrono::milliseconds(10));
                                }
                              }),
               std::runtime_error);
  EXPECT_LT(calls.load(), 100);

  int stopped_calls = 0;
  run_on_devices(
      10, devices, [&](std::size_t, c10::Device) { ++stopped_calls; }, [] { return true; });
  EXPECT_EQ(stopped_calls, 0);
}

}  // namespace
}  // namespace dop
