#include "signals.hpp"

#include <atomic>
#include <csignal>
#include <cstring>

#include <unistd.h>

namespace dop::cli {
namespace {

std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

extern "C" void on_stop_signal(int sig) {
  int expected = 0;
  if (!g_signal.compare_exchange_strong(expected, sig)) {
    // Second signal: the user insists. Default action (the process ends with the signal).
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  static const char kMessage[] =
      "\ndop-restore: stopping after this iteration and saving a checkpoint "
      "(signal again to quit at once)\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int stop_signal() { return g_signal.load(); }

}  // namespace dop::cli
