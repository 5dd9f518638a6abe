#pragma once

#include <stdexcept>
#include <string>

namespace dop {

/// Base of every error the library throws; the message says what went wrong and,
/// where there is one, what to do about it.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An option or argument has a value the library cannot use (e.g. width 0).
class UsageError : public Error {
 public:
  using Error::Error;
};

/// An input file is missing, unreadable, or not an image the tool can handle.
class InputError : public Error {
 public:
  using Error::Error;
};

/// An output file cannot be written (exists, folder missing, not writable, disk full).
class OutputError : public Error {
 public:
  using Error::Error;
};

/// The computation itself failed (non-finite loss, device failure).
class RuntimeError : public Error {
 public:
  using Error::Error;
};

/// A run stopped on request (SIGINT, SIGTERM) at the end of an iteration, after saving
/// what is needed to resume it.
class Interrupted : public Error {
 public:
  Interrupted(const std::string& what, int signal) : Error(what), signal_(signal) {}
  /// The signal that asked for the stop (SIGINT = 2, SIGTERM = 15).
  int signal() const { return signal_; }

 private:
  int signal_;
};

/// Process exit codes of the project's executables (documented in the README).
/// CLI11 keeps its own codes, 100 and above, for command-line syntax errors.
enum ExitCode : int {
  kExitOk = 0,
  kExitRuntime = 1,
  kExitUsage = 2,
  kExitInput = 3,
  kExitOutput = 4,
  /// A folder run finished, but at least one image failed (each is named on stderr).
  kExitSomeFailed = 5,
};

/// The exit code for an exception that reached an executable's main(); an interruption
/// exits with 128 + the signal, as shells expect (130 for SIGINT, 143 for SIGTERM).
inline int exit_code_of(const std::exception& e) {
  if (const auto* stop = dynamic_cast<const Interrupted*>(&e)) return 128 + stop->signal();
  if (dynamic_cast<const UsageError*>(&e)) return kExitUsage;
  if (dynamic_cast<const InputError*>(&e)) return kExitInput;
  if (dynamic_cast<const OutputError*>(&e)) return kExitOutput;
  return kExitRuntime;
}

}  // namespace dop
