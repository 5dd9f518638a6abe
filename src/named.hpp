// Internal: enum values parsed by the names to_string gives them.
#pragma once

#include <initializer_list>
#include <string>

#include "dop/error.hpp"

namespace dop::detail {

// The value of E named `name` (by to_string), or a UsageError listing the choices
// ("unknown method 'x': use dop, dip or dip-l1").
template <typename E>
E parse_named(const std::string& name, std::initializer_list<E> all, const char* what) {
  std::string choices;
  size_t i = 0;
  for (E e : all) {
    if (to_string(e) == name) return e;
    choices += (i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + to_string(e);
    ++i;
  }
  throw UsageError(std::string("unknown ") + what + " '" + name + "': use " + choices);
}

}  // namespace dop::detail
