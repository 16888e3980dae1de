// RunStatus: where a run is in its life, as the root attribute `status` of
// its file spells it. A file says `complete` only once every iteration's
// row is on disk.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace raftsim {

enum class RunStatus { kRunning, kComplete, kInterrupted, kFailed };

// "running", "complete", "interrupted", "failed".
std::string to_string(RunStatus status);
// The status a text names, or nullopt.
std::optional<RunStatus> parse_run_status(const std::string& text);
std::ostream& operator<<(std::ostream& out, RunStatus status);

}  // namespace raftsim
