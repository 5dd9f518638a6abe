// Claims that let folder runs share an output folder: exclusive, refreshed, taken over
// only when stale, and handed out once between any number of runs.
#include "dop/claim.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "dop/error.hpp"
#include "test_util.hpp"

namespace dop {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Moves a file's modification time `age` into the past.
void age(const fs::path& p, std::chrono::seconds age) {
  fs::last_write_time(p, fs::last_write_time(p) - age);
}

std::vector<fs::path> listing(const fs::path& dir) {
  std::vector<fs::path> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  return names;
}

TEST(Claim, IsExclusiveAndReleasedWithoutTrace) {
  test::TempDir dir;
  const fs::path path = claim_path(dir / "a.png");
  EXPECT_EQ(path.filename(), "a.png.dop-claim");
  auto first = Claim::try_acquire(path);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->held());
  EXPECT_EQ(Claim::try_acquire(path), nullptr);
  const ClaimInfo info = read_claim(path);
  EXPECT_TRUE(info.exists);
  EXPECT_NE(info.owner.find("pid"), std::string::npos) << info.owner;
  first.reset();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(listing(dir.path()).empty()) << "temporary files left behind";
  EXPECT_NE(Claim::try_acquire(path), nullptr);
}

TEST(Claim, OneWinnerAmongManyAtOnce) {
  test::TempDir dir;
  for (int round = 0; round < 20; ++round) {
    const fs::path path = claim_path(dir / ("r" + std::to_string(round) + ".png"));
    std::atomic<int> winners{0};
    std::vector<std::unique_ptr<Claim>> held(8);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        held[t] = Claim::try_acquire(path);
        if (held[t]) ++winners;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(winners.load(), 1) << "round " << round;
  }
}

TEST(Claim, HeartbeatRefreshesTheFile) {
  test::TempDir dir;
  const fs::path path = claim_path(dir / "a.png");
  auto claim = Claim::try_acquire(path);
  ASSERT_NE(claim, nullptr);
  age(path, 3600s);
  const auto old = read_claim(path).heartbeat;
  claim->keep_alive(20ms);
  std::this_thread::sleep_for(200ms);
  EXPECT_GT(read_claim(path).heartbeat, old + 3000s);
  EXPECT_FALSE(claim->lost());
}

TEST(Claim, StaleClaimIsTakenOverOnceAndItsOwnerFindsItLost) {
  test::TempDir dir;
  const fs::path path = claim_path(dir / "a.png");
  auto dead = Claim::try_acquire(path);
  ASSERT_NE(dead, nullptr);
  const ClaimInfo stale = read_claim(path);
  auto taker = Claim::take_over(path, stale);
  ASSERT_NE(taker, nullptr);
  EXPECT_TRUE(taker->held());
  EXPECT_EQ(Claim::take_over(path, stale), nullptr) << "the same stale claim taken twice";
  // The old owner was only suspended: its heartbeat finds the claim someone else's.
  dead->keep_alive(10ms);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!dead->lost() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(dead->lost());
  EXPECT_FALSE(dead->held());
  dead.reset();  // must not remove the new owner's claim
  EXPECT_TRUE(taker->held());
}

TEST(Claim, RefreshedClaimIsPutBackNotTaken) {
  test::TempDir dir;
  const fs::path path = claim_path(dir / "a.png");
  auto owner = Claim::try_acquire(path);
  ASSERT_NE(owner, nullptr);
  ClaimInfo seen = read_claim(path);
  seen.heartbeat -= 10s;  // what a watcher read before the owner's last heartbeat
  EXPECT_EQ(Claim::take_over(path, seen), nullptr);
  EXPECT_TRUE(owner->held());
  owner.reset();
  EXPECT_TRUE(listing(dir.path()).empty());
}

TEST(ClaimWatch, StaleWhenOldOrUnchangedForTheTimeOut) {
  test::TempDir dir;
  const fs::path path = claim_path(dir / "a.png");
  auto claim = Claim::try_acquire(path);
  ASSERT_NE(claim, nullptr);
  ClaimWatch watch(dir.path(), 0.3s);
  EXPECT_FALSE(watch.stale(path, read_claim(path)));
  EXPECT_FALSE(watch.expired(read_claim(path)));
  std::this_thread::sleep_for(400ms);
  EXPECT_TRUE(watch.stale(path, read_claim(path))) << "no heartbeat for the time-out";
  claim->keep_alive(20ms);
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(watch.stale(path, read_claim(path))) << "a heartbeat was seen";

  ClaimWatch patient(dir.path(), 600s);
  claim.reset();
  // A run that died removes nothing: its claim object is leaked on purpose.
  static_cast<void>(Claim::try_acquire(path).release());
  EXPECT_FALSE(patient.stale(path, read_claim(path)));
  age(path, 3600s);
  EXPECT_TRUE(patient.expired(read_claim(path)));
  EXPECT_TRUE(patient.stale(path, read_claim(path))) << "older than the time-out at first sight";
  EXPECT_FALSE(patient.stale(dir / "none", read_claim(dir / "none")));
  EXPECT_THROW(ClaimWatch(dir.path(), 0s), UsageError);
}

TEST(ClaimQueue, RunsShareTheImagesAndWaitForEachOther) {
  test::TempDir dir;
  std::vector<fs::path> outputs;
  for (int i = 0; i < 6; ++i) outputs.push_back(dir / ("img" + std::to_string(i) + ".png"));
  ClaimQueue a(outputs, dir.path(), {30.0, false});
  ClaimQueue b(outputs, dir.path(), {30.0, false});
  // Run a holds its first two images; run b moves past them.
  auto a0 = a.next({});
  auto a1 = a.next({});
  ASSERT_TRUE(a0 && a1);
  EXPECT_EQ(a0->kind, ClaimQueue::Kind::kRestore);
  EXPECT_EQ(a0->index, 0u);
  EXPECT_EQ(a1->index, 1u);
  std::set<std::size_t> by_b;
  for (int k = 0; k < 6; ++k) {
    auto n = b.next({});
    ASSERT_TRUE(n);
    if (n->kind == ClaimQueue::Kind::kHeld) {
      EXPECT_LT(n->index, 2u);
      EXPECT_NE(n->owner.find("dop-restore"), std::string::npos);
      continue;
    }
    EXPECT_EQ(n->kind, ClaimQueue::Kind::kRestore);
    by_b.insert(n->index);
    std::ofstream(outputs[n->index]) << "result";
    n->claim.reset();
  }
  EXPECT_EQ(by_b, (std::set<std::size_t>{2, 3, 4, 5}));
  // b now waits for a's two images; a finishes one and gives up the other.
  std::thread finish([&] {
    std::this_thread::sleep_for(100ms);
    std::ofstream(outputs[0]) << "result";
    a0->claim.reset();
    a1->claim.reset();
  });
  std::set<std::size_t> elsewhere, redone;
  while (auto n = b.next({})) {
    if (n->kind == ClaimQueue::Kind::kDoneElsewhere) elsewhere.insert(n->index);
    if (n->kind == ClaimQueue::Kind::kRestore) redone.insert(n->index);
  }
  finish.join();
  EXPECT_EQ(elsewhere, (std::set<std::size_t>{0}));
  EXPECT_EQ(redone, (std::set<std::size_t>{1}));
  // a's own list: what b stored is done elsewhere, nothing left to restore.
  while (auto n = a.next({})) EXPECT_EQ(n->kind, ClaimQueue::Kind::kDoneElsewhere);
}

TEST(ClaimQueue, StopEndsTheWait) {
  test::TempDir dir;
  const std::vector<fs::path> outputs{dir / "a.png"};
  ClaimQueue a(outputs, dir.path(), {600.0, false});
  ClaimQueue b(outputs, dir.path(), {600.0, false});
  auto held = a.next({});
  ASSERT_TRUE(held);
  auto n = b.next({});
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, ClaimQueue::Kind::kHeld);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(b.next([&] { return std::chrono::steady_clock::now() - start > 300ms; }));
}

TEST(ClaimQueue, DeadRunsClaimIsTakenOverAfterTheTimeOut) {
  test::TempDir dir;
  const std::vector<fs::path> outputs{dir / "a.png"};
  static_cast<void>(Claim::try_acquire(claim_path(outputs[0])).release());  // a dead run's
  ClaimQueue q(outputs, dir.path(), {0.3, false});
  auto held = q.next({});
  ASSERT_TRUE(held);
  EXPECT_EQ(held->kind, ClaimQueue::Kind::kHeld);
  const auto start = std::chrono::steady_clock::now();
  auto n = q.next({});
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, ClaimQueue::Kind::kRestore);
  EXPECT_TRUE(n->took_over);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
}

TEST(RemoveLeftovers, OnlyWhenNoLiveClaimIsBesideTheResult) {
  test::TempDir dir;
  const fs::path out = dir / "a.png", checkpoint = dir / "a.png.dop-checkpoint";
  std::ofstream(out) << "result";
  std::ofstream(checkpoint) << "state";
  const ClaimWatch watch(dir.path(), 60s);
  auto live = Claim::try_acquire(claim_path(out));
  EXPECT_TRUE(remove_leftovers(out, {checkpoint}, watch).empty());
  EXPECT_TRUE(fs::exists(checkpoint));
  static_cast<void>(live.release());  // its run died: the file stays
  age(claim_path(out), 3600s);
  EXPECT_EQ(remove_leftovers(out, {checkpoint}, watch).size(), 2u);
  EXPECT_EQ(listing(dir.path()), std::vector<fs::path>{"a.png"});
}

}  // namespace
}  // namespace dop
