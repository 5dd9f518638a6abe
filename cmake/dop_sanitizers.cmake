# DOP_SANITIZE: sanitizers for every target of the build, as a list for -fsanitize=
# (e.g. "address;undefined"; the "asan" preset). LibTorch and OpenCV themselves are not
# instrumented: the checks cover this project's code and what it passes to them.
set(DOP_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. address;undefined")
if(DOP_SANITIZE)
  list(JOIN DOP_SANITIZE "," dop_sanitize_list)
  add_compile_options(-fsanitize=${dop_sanitize_list} -fno-omit-frame-pointer -g1)
  # A finding is an error: stop there rather than print and carry on.
  if(NOT DOP_SANITIZE MATCHES "fuzzer")
    add_compile_options(-fno-sanitize-recover=all)
  endif()
  add_link_options(-fsanitize=${dop_sanitize_list})
  message(STATUS "Sanitizers: ${dop_sanitize_list}")
endif()
