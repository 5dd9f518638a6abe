# Use ccache when it is installed and the user chose no other launcher: a LibTorch
# translation unit costs tens of seconds to compile on small machines.
if(NOT DEFINED CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(DOP_CCACHE ccache)
  if(DOP_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${DOP_CCACHE}" CACHE STRING "Compiler launcher")
  endif()
endif()
