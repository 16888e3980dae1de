#include "loop/run_status.h"

#include <ostream>

namespace raftsim {

namespace {
constexpr RunStatus kAll[] = {RunStatus::kRunning, RunStatus::kComplete,
                              RunStatus::kInterrupted, RunStatus::kFailed};
}  // namespace

std::string to_string(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kComplete:
      return "complete";
    case RunStatus::kInterrupted:
      return "interrupted";
    case RunStatus::kFailed:
      return "failed";
  }
  return "failed";
}

std::optional<RunStatus> parse_run_status(const std::string& text) {
  for (RunStatus s : kAll)
    if (to_string(s) == text) return s;
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& out, RunStatus status) {
  return out << to_string(status);
}

}  // namespace raftsim
