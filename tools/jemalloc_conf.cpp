// jemalloc's settings for the executables (cmake/dop_allocator.cmake): freed pages are kept
// for reuse instead of being returned to the system after 10 s, because training frees and
// allocates the same activations every step, and a step on a large image can take longer
// than that. The process's memory stays at its peak until it exits.
extern "C" {
const char* malloc_conf = "dirty_decay_ms:-1,muzzy_decay_ms:-1";
}
