# jemalloc as the executables' malloc (never the libraries': a program linking dop::core
# keeps its own). Training allocates and frees the same multi-megabyte activations every
# step; glibc serves blocks above 32 MiB with fresh mmap()s, so at large images every step
# page-faults its activations in again (half the CPU time in the kernel at 2048x1536).
# jemalloc keeps freed pages for reuse: 1.5x faster per iteration at 1024x768, 1.9x at
# 2048x1536 (docs/results/megapixel). Without it (not found, or -DDOP_WITH_JEMALLOC=OFF)
# the executables use glibc's malloc as tuned by dop::tune_host_allocator().
# Sanitizer builds keep glibc's: AddressSanitizer replaces malloc itself.
option(DOP_WITH_JEMALLOC "Link the executables with jemalloc when it is found" ON)
if(DOP_WITH_JEMALLOC AND NOT DOP_SANITIZE)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(JEMALLOC QUIET IMPORTED_TARGET jemalloc)
  endif()
  if(JEMALLOC_FOUND)
    message(STATUS "dop: executables use jemalloc ${JEMALLOC_VERSION}")
  else()
    message(STATUS "dop: jemalloc not found (libjemalloc-dev); executables use glibc malloc")
  endif()
endif()

# Makes `target` (an executable) allocate with jemalloc when it was found.
function(dop_use_allocator target)
  if(JEMALLOC_FOUND)
    target_sources(${target} PRIVATE "${PROJECT_SOURCE_DIR}/tools/jemalloc_conf.cpp")
    target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
  endif()
endfunction()
