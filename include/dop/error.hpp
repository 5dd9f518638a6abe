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

}  // namespace dop
