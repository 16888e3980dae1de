#include "cli/signals.h"

#include <signal.h>

#include <csignal>

namespace raftsim::cli {

std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_stop_now{false};

namespace {

void on_signal(int sig) {
  if (!g_interrupted.exchange(true)) return;
  if (!g_stop_now.exchange(true)) return;
  std::signal(sig, SIG_DFL);  // a third signal ends the process at once
  std::raise(sig);
}

}  // namespace

void install_signal_handlers() {
  // Without SA_RESTART: a sweep waiting for its children wakes up and
  // passes the interrupt on to them.
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // A closed terminal or a session's end: the same orderly stop.
  sigaction(SIGHUP, &action, nullptr);
  // The file-size limit (ulimit -f): the write fails with EFBIG instead,
  // which the run reports as a write failure and records.
  signal(SIGXFSZ, SIG_IGN);
}

}  // namespace raftsim::cli
