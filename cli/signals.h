// SIGINT, SIGTERM and SIGHUP: the first sets g_interrupted (runs finish the work in
// flight, checkpoint and record status interrupted); a second sets
// g_stop_now (the run closes its file as interrupted at once, without
// waiting for the iterations in flight); a third ends the process.
// SIGXFSZ is ignored: a write past `ulimit -f` fails with EFBIG and the run
// ends failed, with the reason in one line.
#pragma once

#include <atomic>

namespace raftsim::cli {

extern std::atomic<bool> g_interrupted;
extern std::atomic<bool> g_stop_now;
void install_signal_handlers();

}  // namespace raftsim::cli
