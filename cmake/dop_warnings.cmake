# dop_target_defaults(target): the project's language level and warnings.
function(dop_target_defaults target)
  target_compile_features(${target} PRIVATE cxx_std_17)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  endif()
endfunction()

# dop_torch_pch(target): precompile the LibTorch headers the project uses.
function(dop_torch_pch target)
  if(DOP_PRECOMPILED_HEADERS)
    target_precompile_headers(${target} PRIVATE "${PROJECT_SOURCE_DIR}/src/torch_pch.hpp")
  endif()
endfunction()
