# Use ccache when it is installed and the user chose no other launcher: a LibTorch
# translation unit costs tens of seconds to compile on small machines. ccache caches
# precompiled headers only with this sloppiness (see its manual, "Precompiled headers").
if(NOT DEFINED CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(DOP_CCACHE ccache)
  if(DOP_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER
        "${CMAKE_COMMAND};-E;env;CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime;${DOP_CCACHE}"
        CACHE STRING "Compiler launcher")
  endif()
endif()
