#include "process.hpp"

#include <cstdio>

namespace dop::bench {

CommandOutput run_command(const std::string& command) {
  CommandOutput result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) result.text.append(buf, n);
  result.ok = pclose(pipe) == 0;
  return result;
}

}  // namespace dop::bench
