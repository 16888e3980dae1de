// SIGINT and SIGTERM: the first sets g_interrupted (runs finish the work in
// flight and record status interrupted); a second ends the process at once.
#pragma once

#include <atomic>

namespace raftsim::cli {

extern std::atomic<bool> g_interrupted;
void install_signal_handlers();

}  // namespace raftsim::cli
