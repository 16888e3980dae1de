// libFuzzer target over everything a user types before a run starts: the
// INI parser, --set and --grid items, and the validation of the resulting
// configurations. scripts/checks/fuzz.sh builds and runs it.
//
// Input: INI text; optionally a line "--" and then one command-line item
// per line: "KEY=VALUE" is a --set, "grid KEY=V1,V2,..." a --grid axis.
//
// The contract checked: every input yields valid configurations or a
// ConfigError (the CLI's exit 2, naming a key); any other exception, a
// crash, a hang or runaway memory is a finding. An accepted configuration
// must also survive its own resolved INI text (what the run file stores and
// `--resume` relies on): parsing to_ini(config) gives the same settings.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "api/settings_input.h"
#include "core/errors.h"
#include "experiment/run_config.h"
#include "sweep/grid.h"

namespace {

using namespace raftsim;

struct FuzzInput {
  std::string ini;
  std::vector<std::string> sets;
  std::vector<std::string> grid;
};

FuzzInput split_input(const std::string& text) {
  FuzzInput in;
  const std::string marker = "\n--\n";
  const auto at = text.find(marker);
  in.ini = text.substr(0, at);
  if (at == std::string::npos) return in;
  std::istringstream items(text.substr(at + marker.size()));
  std::string line;
  while (std::getline(items, line)) {
    if (line.rfind("grid ", 0) == 0)
      in.grid.push_back(line.substr(5));
    else
      in.sets.push_back(line);
  }
  return in;
}

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_config: %s\n", what.c_str());
  std::abort();
}

void check_round_trip(const RunConfig& config) {
  std::istringstream resolved(to_ini(config));
  const RunConfig again = make_run_config(parse_settings(resolved, "resolved", {}));
  if (resolved_settings(again) != resolved_settings(config))
    finding("the resolved INI of an accepted config does not parse back to it:\n" +
            to_ini(config));
}

void exercise(const FuzzInput& in) {
  std::istringstream ini(in.ini);
  const Settings settings = parse_settings(ini, "fuzz.ini", in.sets);
  if (in.grid.empty()) {
    check_round_trip(make_run_config(settings));
    return;
  }
  SweepSpec spec;
  for (const auto& item : in.grid) spec.axes.push_back(parse_axis({item}));
  for (const auto& point : expand(spec, settings)) check_round_trip(point.config);
}

}  // namespace

// RAFTSIM_FUZZ_SEEDS=DIR: write a seed input holding every key with its
// default value (so the fuzzer starts from the whole schema) and a libFuzzer
// dictionary of the key names, then exit.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("RAFTSIM_FUZZ_SEEDS");
  if (!dir) return 0;
  const RunConfig defaults;
  std::ofstream(std::string(dir) + "/defaults.ini") << to_ini(defaults);
  std::ofstream dict(std::string(dir) + "/keys.dict");
  for (const auto& [key, value] : resolved_settings(defaults)) {
    dict << '"' << key << "\"\n";
    dict << '"' << key.substr(key.find('.') + 1) << "\"\n";
  }
  dict.close();  // std::exit does not destroy locals
  std::exit(dict ? 0 : 1);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const FuzzInput in =
      split_input(std::string(reinterpret_cast<const char*>(data), size));
  try {
    exercise(in);
  } catch (const ConfigError&) {
    // exit 2 with a message naming the key: the expected outcome
  } catch (const std::exception& e) {
    finding(std::string("an exception other than ConfigError: ") + e.what());
  }
  return 0;
}
