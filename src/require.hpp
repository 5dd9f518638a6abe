// Internal: option checks that throw dop::UsageError with the field, value and range.
#pragma once

#include <sstream>

#include "dop/error.hpp"

namespace dop::detail {

template <typename T>
void require(bool ok, const char* what, const T& value, const char* range) {
  if (!ok) {
    std::ostringstream msg;
    msg << what << " = " << value << " is out of range (" << range << ")";
    throw UsageError(msg.str());
  }
}

}  // namespace dop::detail
