// dop-restore over folders, interrupted and resumed, and fed bad input: exit codes,
// messages, and which files exist afterwards.
#include <chrono>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <nlohmann/json.hpp>

#include "cli_util.hpp"
#include "dop/image_io.hpp"
#include "png_util.hpp"
#include "test_util.hpp"

namespace dop {
namespace {

namespace fs = std::filesystem;

const std::string kFast = "--iterations 3 --width 4 --threads 1 ";

void write_bytes(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void save(const fs::path& p, int64_t c, int64_t h, int64_t w, int depth = 8) {
  fs::create_directories(p.parent_path());
  Image im;
  im.pixels = test::smooth_image(c, h, w);
  im.bit_depth = depth;
  save_image(p, im);
}

class CliBatch : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return quote((dir_ / name).string()) + " "; }
  bool exists(const std::string& name) const { return fs::exists(dir_ / name); }
  test::TempDir dir_;
};

TEST_F(CliBatch, GoodImagesRestoredBadOnesNamedAndARerunSkipsWhatIsDone) {
  save(dir_ / "in" / "a.png", 3, 20, 30);
  save(dir_ / "in" / "c.tif", 1, 12, 16, 16);
  save(dir_ / "in" / "sub" / "b.png", 3, 10, 10);
  write_bytes(dir_ / "in" / "bad.png", "this is not an image");
  write_bytes(dir_ / "in" / "empty.jpg", "");
  write_bytes(dir_ / "in" / "notes.txt", "ignored: not an image extension");
  fs::create_directories(dir_ / "in" / "folder.png");  // a folder, not a file: not listed

  Outcome r = run(dir_, kFast + "--report " + path("r.json") + path("in") + path("out"));
  EXPECT_EQ(r.code, 5) << r.err;
  EXPECT_NE(r.err.find("bad.png"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("empty.jpg"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 done, 0 skipped, 2 failed"), std::string::npos) << r.err;
  EXPECT_TRUE(exists("out/a.png"));
  EXPECT_TRUE(exists("out/c.tif"));
  EXPECT_EQ(load_image(dir_ / "out" / "c.tif").bit_depth, 16);
  EXPECT_FALSE(exists("out/sub"));  // not --recursive
  EXPECT_FALSE(exists("out/bad.png"));
  std::ifstream report_file(dir_ / "r.json");
  const auto report = nlohmann::json::parse(report_file);
  EXPECT_EQ(report["summary"]["done"], 2);
  EXPECT_EQ(report["summary"]["failed"], 2);
  ASSERT_EQ(report["images"].size(), 4u);
  EXPECT_EQ(report["images"][0]["input"], (dir_ / "in" / "a.png").string());
  EXPECT_EQ(report["images"][0]["status"], "done");
  EXPECT_EQ(report["images"][1]["status"], "failed");
  EXPECT_NE(report["images"][1]["error"].get<std::string>().find("bad.png"), std::string::npos);

  // Again, recursive, with another format: what exists is skipped, the subfolder is done.
  fs::remove(dir_ / "in" / "bad.png");
  fs::remove(dir_ / "in" / "empty.jpg");
  r = run(dir_, kFast + "-r " + path("in") + path("out"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("1 done, 2 skipped, 0 failed"), std::string::npos) << r.err;
  EXPECT_TRUE(exists("out/sub/b.png"));
  r = run(dir_, kFast + "-r --format png " + path("in") + path("out"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(exists("out/c.png"));
}

TEST_F(CliBatch, FoldersAndFilesDoNotMix) {
  save(dir_ / "in" / "a.png", 3, 8, 8);
  save(dir_ / "x.png", 3, 8, 8);
  EXPECT_EQ(run(dir_, kFast + path("in") + path("x.png")).code, 2);         // folder → file
  EXPECT_EQ(run(dir_, kFast + path("x.png") + path("in")).code, 2);         // file → folder
  EXPECT_EQ(run(dir_, kFast + path("in") + path("in")).code, 2);            // onto itself
  EXPECT_EQ(run(dir_, kFast + "-r " + path("in") + path("in/o")).code, 0);  // new: fine
  EXPECT_EQ(run(dir_, kFast + "-r " + path("in") + path("in/o")).code, 2);  // now inside
  EXPECT_EQ(run(dir_, kFast + "--shard 1/2 " + path("x.png") + path("y.png")).code, 2);
  EXPECT_EQ(run(dir_, kFast + "--shard 3/2 " + path("in") + path("out")).code, 2);
  EXPECT_EQ(run(dir_, kFast + path("missing") + path("out")).code, 3);
}

TEST_F(CliBatch, AFolderWithoutImagesIsAnError) {
  write_bytes(dir_ / "empty" / "notes.txt", "no images here");
  const Outcome r = run(dir_, kFast + "-q " + path("empty") + path("out"));
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("no image files"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
  EXPECT_FALSE(exists("out"));
}

TEST_F(CliBatch, ShardsCoverTheFolderExactlyOnce) {
  for (int i = 0; i < 7; ++i) save(dir_ / "in" / ("img" + std::to_string(i) + ".png"), 3, 6, 6);
  std::multiset<std::string> done;
  for (int k = 1; k <= 3; ++k) {
    const std::string report = "r" + std::to_string(k) + ".json";
    const Outcome r = run(dir_, kFast + "--shard " + std::to_string(k) + "/3 --report " +
                                    path(report) + path("in") + path("out"));
    ASSERT_EQ(r.code, 0) << r.err;
    std::ifstream f(dir_ / report);
    const auto parsed = nlohmann::json::parse(f);
    for (const auto& rec : parsed["images"]) {
      EXPECT_EQ(rec["status"], "done");
      done.insert(rec["input"].get<std::string>());
    }
  }
  ASSERT_EQ(done.size(), 7u);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(done.count((dir_ / "in" / ("img" + std::to_string(i) + ".png")).string()), 1u);
    EXPECT_TRUE(exists("out/img" + std::to_string(i) + ".png"));
  }
}

TEST_F(CliBatch, SeveralDevicesShareTheFolder) {
  for (int i = 0; i < 4; ++i) save(dir_ / "in" / ("img" + std::to_string(i) + ".png"), 3, 6, 6);
  const Outcome r = run(dir_, kFast + "--device cpu,cpu " + path("in") + path("out"));
  ASSERT_EQ(r.code, 0) << r.err;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(exists("out/img" + std::to_string(i) + ".png"));
  EXPECT_EQ(run(dir_, kFast + "--device cpu,cpu " + path("in/img0.png") + path("o.png")).code, 2);
}

// Starts dop-restore with `args`; returns its pid. Its stderr goes to `err`.
pid_t spawn(const std::vector<std::string>& args, const fs::path& err) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(DOP_RESTORE_EXE)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(DOP_RESTORE_EXE, argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(CliBatch, InterruptedRunLeavesNoOutputAndResumesToTheSameResult) {
  save(dir_ / "in.png", 3, 20, 30);
  // The default's automatic stop on (its state travels in the checkpoint too).
  const std::vector<std::string> common{"--no-progress",
                                        "--iterations",
                                        "600",
                                        "--width",
                                        "4",
                                        "--threads",
                                        "1",
                                        "--checkpoint-every",
                                        "10"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = common;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const fs::path out = dir_ / "out.png", ckpt = dir_ / "out.png.dop-checkpoint";
  // Reference: uninterrupted.
  ASSERT_EQ(wait_exit(spawn(with({"--report", (dir_ / "ref.json").string(),
                                  (dir_ / "in.png").string(), (dir_ / "ref.png").string()}),
                            dir_ / "e0.txt")),
            0);
  for (int sig : {SIGINT, SIGTERM}) {
    // Signalled once it has written a checkpoint of its own (the second run resumes the
    // first one's, then writes a new one).
    std::error_code ec;
    const auto before = fs::last_write_time(ckpt, ec);
    const pid_t pid = spawn(with({(dir_ / "in.png").string(), out.string()}), dir_ / "e1.txt");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((!fs::exists(ckpt) || fs::last_write_time(ckpt, ec) == before) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(fs::exists(ckpt)) << read_bytes(dir_ / "e1.txt");
    EXPECT_FALSE(fs::exists(out));
    kill(pid, sig);
    EXPECT_EQ(wait_exit(pid), 128 + sig) << read_bytes(dir_ / "e1.txt");
    EXPECT_FALSE(fs::exists(out));  // never a partial result under the final name
    EXPECT_TRUE(fs::exists(ckpt));
  }
  // A different setting is refused, and the checkpoint kept.
  std::vector<std::string> other = with({"--alpha", "7", (dir_ / "in.png").string(), out.string()});
  EXPECT_EQ(wait_exit(spawn(other, dir_ / "e2.txt")), 2);
  EXPECT_NE(read_bytes(dir_ / "e2.txt").find("alpha"), std::string::npos);
  EXPECT_TRUE(fs::exists(ckpt));
  // The same command resumes, finishes, and matches the uninterrupted run exactly.
  ASSERT_EQ(wait_exit(spawn(with({"--report", (dir_ / "r.json").string(),
                                  (dir_ / "in.png").string(), out.string()}),
                            dir_ / "e3.txt")),
            0);
  const std::string log = read_bytes(dir_ / "e3.txt");
  EXPECT_NE(log.find("resumed from iteration"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(ckpt));
  EXPECT_EQ(read_bytes(out), read_bytes(dir_ / "ref.png"));
  std::ifstream report_file(dir_ / "r.json");
  const auto report = nlohmann::json::parse(report_file);
  std::ifstream reference_file(dir_ / "ref.json");
  const auto reference = nlohmann::json::parse(reference_file);
  EXPECT_EQ(report["iterations"], reference["iterations"]);
  EXPECT_EQ(report["stop_reason"], reference["stop_reason"]);
  EXPECT_GT(report["resumed_from"].get<int>(), 0);
}

// The files a folder holds, by name (temporary and hidden ones included).
std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// Each image's status in the reports of several runs: input -> statuses.
std::map<std::string, std::multiset<std::string>> statuses(const std::vector<fs::path>& reports) {
  std::map<std::string, std::multiset<std::string>> by_input;
  for (const fs::path& r : reports) {
    std::ifstream f(r);
    const auto parsed = nlohmann::json::parse(f);
    for (const auto& rec : parsed["images"]) by_input[rec["input"]].insert(rec["status"]);
  }
  return by_input;
}

// Waits until `pred` holds (at most a minute).
template <class Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST_F(CliBatch, ConcurrentRunsRestoreEachImageOnce) {
  std::set<std::string> results;
  for (int i = 0; i < 8; ++i) {
    save(dir_ / "in" / ("img" + std::to_string(i) + ".png"), 3, 24, 24);
    results.insert("img" + std::to_string(i) + ".png");
  }
  for (int workers : {2, 4}) {
    const fs::path out = dir_ / ("out" + std::to_string(workers));
    std::vector<pid_t> pids;
    std::vector<fs::path> reports;
    for (int w = 0; w < workers; ++w) {
      reports.push_back(dir_ / ("r" + std::to_string(workers) + "-" + std::to_string(w) + ".json"));
      pids.push_back(
          spawn({"--no-progress", "--iterations", "40", "--width", "4", "--threads", "1",
                 "--report", reports.back().string(), (dir_ / "in").string(), out.string()},
                dir_ / ("e" + std::to_string(w) + ".txt")));
    }
    for (int w = 0; w < workers; ++w) {
      EXPECT_EQ(wait_exit(pids[w]), 0) << read_bytes(dir_ / ("e" + std::to_string(w) + ".txt"));
    }
    const auto by_input = statuses(reports);
    ASSERT_EQ(by_input.size(), 8u);
    for (const auto& [input, seen] : by_input) {
      EXPECT_EQ(seen.count("done"), 1u) << input << " restored by " << seen.count("done");
      // A run that starts after the image was finished finds it in place and skips it.
      EXPECT_EQ(seen.count("done by another run") + seen.count("skipped"),
                static_cast<size_t>(workers - 1))
          << input;
    }
    EXPECT_EQ(listing(out), results) << "claims, checkpoints or temporary files left behind";
  }
}

// Arguments of a folder run of in/ into out/ that trains long enough (600 iterations of
// a tiny network, no automatic stop) to be killed or suspended mid-image, with a claim
// time-out of `timeout` seconds.
std::vector<std::string> slow_folder_run(const test::TempDir& dir, const std::string& timeout,
                                         std::vector<std::string> extra) {
  std::vector<std::string> a{
      "--no-progress", "--iterations",    "600",  "--width", "4", "--threads", "1", "--auto-stop",
      "off",           "--claim-timeout", timeout};
  a.insert(a.end(), extra.begin(), extra.end());
  a.push_back((dir / "in").string());
  a.push_back((dir / "out").string());
  return a;
}

TEST_F(CliBatch, KilledRunsImageIsTakenOverAndResumed) {
  save(dir_ / "in" / "a.png", 3, 20, 30);
  const fs::path out = dir_ / "out", report = dir_ / "r.json";
  const pid_t doomed =
      spawn(slow_folder_run(dir_, "1.5", {"--checkpoint-every", "10"}), dir_ / "e1.txt");
  ASSERT_TRUE(eventually([&] { return fs::exists(out / "a.png.dop-checkpoint"); }));
  const pid_t heir =
      spawn(slow_folder_run(dir_, "1.5", {"--checkpoint-every", "10", "--report", report.string()}),
            dir_ / "e2.txt");
  kill(doomed, SIGKILL);
  EXPECT_EQ(wait_exit(doomed), -1);
  const auto killed = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_exit(heir), 0) << read_bytes(dir_ / "e2.txt");
  EXPECT_GE(std::chrono::steady_clock::now() - killed, std::chrono::milliseconds(1500));
  const std::string log = read_bytes(dir_ / "e2.txt");
  EXPECT_NE(log.find("taking over from dop-restore on"), std::string::npos) << log;
  std::ifstream f(report);
  const auto image = nlohmann::json::parse(f)["images"][0];
  EXPECT_EQ(image["status"], "done");
  EXPECT_GT(image["resumed_from"].get<int>(), 0) << "the take-over did not use the checkpoint";
  EXPECT_EQ(image["iterations"], 600);
  EXPECT_EQ(listing(out), std::set<std::string>{"a.png"});
}

TEST_F(CliBatch, SuspendedRunStepsAsideForTheRunThatTookOver) {
  save(dir_ / "in" / "a.png", 3, 20, 30);
  const fs::path out = dir_ / "out";
  auto args = [&](const std::string& report) {
    return slow_folder_run(dir_, "1", {"--report", (dir_ / report).string()});
  };
  const pid_t first = spawn(args("r1.json"), dir_ / "e1.txt");
  ASSERT_TRUE(eventually([&] { return fs::exists(out / "a.png.dop-claim"); }));
  kill(first, SIGSTOP);
  const pid_t second = spawn(args("r2.json"), dir_ / "e2.txt");
  ASSERT_TRUE(eventually(
      [&] { return read_bytes(dir_ / "e2.txt").find("taking over") != std::string::npos; }));
  kill(first, SIGCONT);
  EXPECT_EQ(wait_exit(second), 0) << read_bytes(dir_ / "e2.txt");
  EXPECT_EQ(wait_exit(first), 0) << read_bytes(dir_ / "e1.txt");
  EXPECT_NE(read_bytes(dir_ / "e1.txt").find("another run took this image over"), std::string::npos)
      << read_bytes(dir_ / "e1.txt");
  const auto by_input = statuses({dir_ / "r1.json", dir_ / "r2.json"});
  EXPECT_EQ(by_input.begin()->second, (std::multiset<std::string>{"done", "done by another run"}));
  EXPECT_EQ(listing(out), std::set<std::string>{"a.png"});
}

// A rerun over a read-only output folder whose results are all there writes nothing and
// succeeds; with an image still to do it stops with exit 4 naming the folder. As root
// (who writes anywhere) it runs as the user nobody through runuser.
TEST_F(CliBatch, FinishedBatchOnAReadOnlyFolder) {
  std::string as_user;
  if (geteuid() == 0) {
    if (std::system("runuser -u nobody -- true 2>/dev/null") != 0) {
      GTEST_SKIP() << "root without runuser: cannot make a folder read-only";
    }
    as_user = "runuser -u nobody -- ";
  }
  save(dir_ / "in" / "a.png", 3, 8, 8);
  save(dir_ / "out" / "a.png", 3, 8, 8);
  fs::permissions(dir_.path(), fs::perms::all, fs::perm_options::add);
  fs::permissions(dir_ / "out", fs::perms::owner_read | fs::perms::owner_exec |
                                    fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
  auto run_as = [&](const std::string& args) {
    const std::string err = (dir_ / "err.txt").string();
    const std::string cmd = as_user + quote(DOP_RESTORE_EXE) + " --no-progress " + args + " 2>" +
                            quote(err) + " >/dev/null";
    const int status = std::system(cmd.c_str());
    const Outcome o{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_bytes(err)};
    fs::remove(err);
    return o;
  };
  const Outcome done = run_as(kFast + path("in") + path("out"));
  EXPECT_EQ(done.code, 0) << done.err;
  EXPECT_NE(done.err.find("0 done, 1 skipped"), std::string::npos) << done.err;
  save(dir_ / "in" / "b.png", 3, 8, 8);
  const Outcome more = run_as(kFast + path("in") + path("out"));
  fs::permissions(dir_ / "out", fs::perms::owner_all, fs::perm_options::add);
  EXPECT_EQ(more.code, 4) << more.err;
  EXPECT_NE(more.err.find("output folder '" + (dir_ / "out").string() + "'"), std::string::npos)
      << more.err;
  EXPECT_EQ(listing(dir_ / "out"), std::set<std::string>{"a.png"});
}

TEST_F(CliBatch, LeftoversBesideAFinishedResultAreRemoved) {
  save(dir_ / "in" / "a.png", 3, 8, 8);
  save(dir_ / "out" / "a.png", 3, 8, 8);
  write_bytes(dir_ / "out" / "a.png.dop-checkpoint", "state of a run that lost a race");
  write_bytes(dir_ / "out" / "a.png.dop-claim", "host:1:0\ndop-restore on host, pid 1\n");
  const fs::path claim = dir_ / "out" / "a.png.dop-claim";
  fs::last_write_time(claim, fs::last_write_time(claim) - std::chrono::hours(1));
  const Outcome r = run(dir_, kFast + path("in") + path("out"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("removed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("0 done, 1 skipped"), std::string::npos) << r.err;
  EXPECT_EQ(listing(dir_ / "out"), std::set<std::string>{"a.png"});
}

TEST_F(CliBatch, OddImagesRestore) {
  save(dir_ / "one.png", 3, 1, 1);
  save(dir_ / "row.png", 1, 1, 37);
  save(dir_ / "col.png", 3, 23, 1);
  save(dir_ / "float.tif", 3, 9, 11, 32);
  // Palette PNG, 3×2 pixels, three colours.
  const std::string plte("\xff\x00\x00\x00\xff\x00\x00\x00\xff", 9);
  write_bytes(dir_ / "palette.png",
              test::png(3, 2, 3, plte, std::string("\x00\x00\x01\x02\x00\x02\x01\x00", 8)));
  for (const char* f : {"one.png", "row.png", "col.png", "float.tif", "palette.png"}) {
    const Outcome r = run(dir_, kFast + path(f) + path(std::string("out-") + f));
    ASSERT_EQ(r.code, 0) << f << ": " << r.err;
    const Image in = load_image(dir_ / f), out = load_image(dir_ / (std::string("out-") + f));
    EXPECT_EQ(out.pixels.sizes(), in.pixels.sizes()) << f;
    EXPECT_EQ(out.bit_depth, in.bit_depth) << f;
  }
}

TEST_F(CliBatch, BadInputsGetClearErrors) {
  save(dir_ / "good.png", 3, 20, 30);
  const std::string full = read_bytes(dir_ / "good.png");
  write_bytes(dir_ / "truncated.png", full.substr(0, full.size() / 2));
  write_bytes(dir_ / "empty.png", "");
  write_bytes(dir_ / "zero.png", test::png(0, 0, 2, "", ""));
  // A bomb: the header promises 100000 × 100000 RGB pixels; the file has none.
  write_bytes(dir_ / "bomb.png", test::png(100000, 100000, 2, "", ""));
  fs::create_directories(dir_ / "adir.png");
  for (const char* f : {"truncated.png", "empty.png", "zero.png", "bomb.png", "nope.png"}) {
    const Outcome r = run(dir_, kFast + path(f) + path("out.png"));
    EXPECT_EQ(r.code, 3) << f << ": " << r.err;
    EXPECT_NE(r.err.find(f), std::string::npos) << f << ": " << r.err;
    EXPECT_FALSE(exists("out.png")) << f;
  }
  // A folder where an image file is expected.
  Outcome dir_as_file = run(dir_, kFast + path("adir.png") + path("out.png"));
  EXPECT_EQ(dir_as_file.code, 2) << dir_as_file.err;
  EXPECT_NE(dir_as_file.err.find("adir.png"), std::string::npos) << dir_as_file.err;
  EXPECT_FALSE(exists("out.png"));
  // The pixel cap, and its override.
  Outcome r = run(dir_, kFast + "--max-pixels 100 " + path("good.png") + path("out.png"));
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("--max-pixels"), std::string::npos) << r.err;
  r = run(dir_, kFast + "--max-pixels 600 " + path("good.png") + path("out.png"));
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(CliBatch, PathsWithSpacesAndNonAscii) {
  save(dir_ / "dossier été" / "chat noir ñ.png", 3, 12, 14);
  Outcome r =
      run(dir_, kFast + path("dossier été/chat noir ñ.png") + path("dossier été/résultat 1.png"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(exists("dossier été/résultat 1.png"));
  r = run(dir_, kFast + path("dossier été") + path("sortie ü"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(exists("sortie ü/chat noir ñ.png"));
}

TEST_F(CliBatch, ReadOnlyOutputFolder) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders";
  save(dir_ / "in.png", 3, 8, 8);
  fs::create_directories(dir_ / "ro");
  fs::permissions(dir_ / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  const Outcome r = run(dir_, kFast + path("in.png") + path("ro/out.png"));
  fs::permissions(dir_ / "ro", fs::perms::owner_all);
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("ro"), std::string::npos);
}

// The disk fills up while the result is written (a file size limit makes write() fail):
// exit 4, nothing under the output's name, no temporary file left behind.
TEST_F(CliBatch, DiskFullWhileWriting) {
  save(dir_ / "in.png", 3, 128, 128, 16);  // about 50 kB as a 16-bit PNG
  fs::create_directories(dir_ / "out");
  const pid_t pid = fork();
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{4096, 4096};
    setrlimit(RLIMIT_FSIZE, &limit);
    const int fd = ::open((dir_ / "err.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDERR_FILENO);
    const std::string in = (dir_ / "in.png").string(), out = (dir_ / "out" / "r.png").string();
    execl(DOP_RESTORE_EXE, DOP_RESTORE_EXE, "--no-progress", "--iterations", "2", "--width", "4",
          "--threads", "1", "--bit-depth", "16", in.c_str(), out.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  const int code = wait_exit(pid);
  const std::string err = read_bytes(dir_ / "err.txt");
  EXPECT_EQ(code, 4) << err;
  EXPECT_NE(err.find("r.png"), std::string::npos) << err;
  EXPECT_TRUE(fs::is_empty(dir_ / "out")) << "partial or temporary files left behind";
}

}  // namespace
}  // namespace dop
