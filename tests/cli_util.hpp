// Running dop-restore as a user does, for the command-line tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>

#include "test_util.hpp"

namespace dop {

struct Outcome {
  int code;
  std::string err;
};

inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs dop-restore with `args` (already quoted where needed) and returns its exit code
// and standard error.
inline Outcome run(const test::TempDir& dir, const std::string& args) {
  const std::filesystem::path err = dir / "stderr.txt";
  const std::string cmd = std::string(quote(DOP_RESTORE_EXE)) + " --no-progress " + args + " 2>" +
                          quote(err.string()) + " >/dev/null";
  const int status = std::system(cmd.c_str());
  std::ifstream in(err);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(err);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

}  // namespace dop
