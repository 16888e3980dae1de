#include "embed/raftsim.h"

#include "api/run_request.h"
#include "core/errors.h"
#include "core/version.h"
#include "runfile/run_layout.h"

namespace raftsim::embed {

RunResult run_experiment(const std::string& ini,
                         const std::vector<std::string>& overrides,
                         const std::string& out, bool overwrite) {
  RunRequest request;
  request.ini_text = ini;
  request.sets = overrides;
  request.out = out;
  request.overwrite = overwrite;
  RunOutcome outcome;
  PreparedRun prepared;
  try {
    prepared = prepare_run(request);
    RunHooks hooks;
    hooks.quiet = true;
    outcome = start_run(prepared, hooks);
  } catch (const ConfigError& e) {
    throw BadConfig(e.what());
  }
  RunResult result;
  result.path = prepared.out;
  result.status = to_string(outcome.status);
  result.error = outcome.error;
  result.rows = outcome.iterations_logged;
  return result;
}

RunData read_run(const std::string& path) {
  try {
    const RunReader reader(path);
    RunData data;
    data.status = to_string(reader.status());
    data.raftsim_version = reader.raftsim_version();
    data.config = reader.config();
    for (const auto& name : reader.metric_names())
      data.metrics[name] = reader.metric(name);
    return data;
  } catch (const std::exception& e) {  // IoError, FormatError
    throw BadRunFile(path + ": " + one_line(e));
  }
}

std::string version() { return kVersion; }

}  // namespace raftsim::embed
