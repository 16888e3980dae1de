// Fault injection for the failure tests: the process sends itself a signal
// at a named point of a run, so a kill or an interrupt lands at the same
// place however busy the machine is (a kill on a timer once landed after
// the run had ended). Configured by `faults.signal`
// (loop/actors_config.h); armed by the engine for one run at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace raftsim {

// Where a fault signal fires.
enum class FaultPoint {
  kSample,      // the first chunk of iteration N is about to be sampled
  kRow,         // row N of /metrics has just been flushed
  kCheckpoint,  // checkpoint N's blobs are written, not yet marked complete
  kWarmup,      // warm-start step N is about to run
};

struct FaultSignal {
  int signal = 0;  // SIGINT, SIGTERM, SIGHUP, SIGKILL or SIGSTOP
  FaultPoint point = FaultPoint::kRow;
  int64_t index = 0;
};

// What `faults.signal` accepts, for error messages.
inline constexpr const char* kFaultSignalSyntax =
    "empty, or SIGNAL@POINT:N[,...] with SIGNAL one of INT, TERM, HUP, KILL, STOP, "
    "POINT one of sample, row, checkpoint, warmup, and N >= 0";

// Parses "KILL@row:3,STOP@sample:5"; empty gives none. Throws
// std::invalid_argument on anything else.
std::vector<FaultSignal> parse_fault_signals(const std::string& text);

// While alive, fault_point() fires `signals` (each once, in the order
// given) with raise(), to the thread at the point: it stops, or runs the
// CLI's handler, before it runs on (no raftsim thread blocks these
// signals, so none stays pending). One set per process.
class ArmedFaultSignals {
 public:
  explicit ArmedFaultSignals(std::vector<FaultSignal> signals);
  ~ArmedFaultSignals();
  ArmedFaultSignals(const ArmedFaultSignals&) = delete;
  ArmedFaultSignals& operator=(const ArmedFaultSignals&) = delete;
};

// Called at each point of a run; costs one relaxed atomic load when no
// fault is armed.
void fault_point(FaultPoint point, int64_t index);

}  // namespace raftsim
