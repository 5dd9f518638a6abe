// libFuzzer harness: any command line given to dop-restore. The input is split at NUL
// bytes into arguments. Allowed outcomes: parsed and checked, or a CLI11 parse error, or
// a dop::UsageError; anything else (a crash, another exception such as
// std::out_of_range from a number conversion) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "dop/error.hpp"
#include "options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args;
  std::string current;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  args.push_back(current);
  if (args.size() > 64) return 0;
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first

  dop::cli::CliOptions options;
  const auto app = dop::cli::make_app(options);
  try {
    app->parse(reversed);
  } catch (const CLI::ParseError&) {
    return 0;  // what the user sees as a syntax error (exit 100+) or --help/--version
  }
  try {
    (void)dop::cli::check_options(options);
  } catch (const dop::UsageError&) {
    return 0;
  }
  return 0;
}
