#include "actors/logger.h"

#include <string>

#include "core/errors.h"

namespace raftsim {

namespace {
// Runs `work`; any failure (the sink's own exceptions included) becomes the
// request's error, so the coordinator ends the run as failed.
template <class Work>
caf::result<caf::ok_atom> guarded(Work&& work) {
  try {
    work();
  } catch (const std::exception& e) {
    return caf::make_error(caf::sec::runtime_error,
                           std::string("logger: ") + one_line(e));
  } catch (...) {
    return caf::make_error(caf::sec::runtime_error,
                           std::string("logger: unknown error"));
  }
  return caf::ok_atom::value;
}
}  // namespace

logger_actor::behavior_type logger(logger_actor::stateful_pointer<LoggerState>,
                                   std::shared_ptr<ReportSink> sink) {
  return {
      [sink](IterationReport& report) { return guarded([&] { sink->write(report); }); },
      [sink](Checkpoint& c) { return guarded([&] { sink->write_checkpoint(c); }); },
      [sink](close_atom, RunStatus status) {
        return guarded([&] { sink->close(status); });
      },
  };
}

}  // namespace raftsim
