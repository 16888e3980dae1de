#include "cli/signals.h"

#include <csignal>

namespace raftsim::cli {

std::atomic<bool> g_interrupted{false};

namespace {

void on_signal(int sig) {
  if (g_interrupted.exchange(true)) {
    std::signal(sig, SIG_DFL);  // a second signal ends the process at once
    std::raise(sig);
  }
}

}  // namespace

void install_signal_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

}  // namespace raftsim::cli
