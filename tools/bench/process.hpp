#pragma once

#include <string>

namespace dop::bench {

/// What a shell command printed on standard output, and whether it succeeded.
struct CommandOutput {
  bool ok = false;  ///< started and exited with status 0
  std::string text;
};

/// Runs `command` with /bin/sh and collects its standard output (e.g. a Python
/// reference's JSON line). Never throws for a failing command: check `ok`.
CommandOutput run_command(const std::string& command);

}  // namespace dop::bench
