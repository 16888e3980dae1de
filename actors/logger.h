// Logger actor: the only writer of the run's results. Hands each
// iteration's report to its ReportSink (which appends and flushes, so a
// killed run keeps every completed iteration) and, on close, the final
// status. Spawned detached: file I/O never stalls the shared scheduler.
#pragma once

#include <memory>

#include "actors/messages.h"
#include "loop/report_sink.h"

namespace raftsim {

struct LoggerState {
  static inline const char* name = "raftsim.logger";
};

logger_actor::behavior_type logger(logger_actor::stateful_pointer<LoggerState> self,
                                   std::shared_ptr<ReportSink> sink);

}  // namespace raftsim
