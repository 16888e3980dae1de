// raftsim as a library for other programs: run an experiment, read a run
// file. Only the standard library appears here, so a program that links
// raftsim::raftsim (find_package(raftsim) after `cmake --install`) needs
// none of raftsim's dependencies' headers. examples/cpp/ is a program that
// does.
//
//   #include <raftsim/raftsim.h>
//   raftsim::embed::RunResult r = raftsim::embed::run_experiment(
//       "[sampler]\nk = 8\n", {"iterations=10"}, "k8.h5");
//   raftsim::embed::RunData d = raftsim::embed::read_run("k8.h5");
//   double last = d.metrics.at("gold_reward_mean").back();
//
// The run is the one `raftsim run` makes from the same configuration, bit
// for bit: both go through the same checks and the same engine.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace raftsim::embed {

// A configuration `raftsim run` refuses with exit status 2; what() is the
// message it prints ("KEY = 'VALUE' is not allowed: must be ...").
class BadConfig : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A file that is not a readable raftsim run.
class BadRunFile : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunResult {
  std::string path;
  std::string status;  // complete, failed or interrupted
  std::string error;   // why, when failed
  uint64_t rows = 0;
};

// Runs the experiment `ini` (INI text; "" for the defaults) with `overrides`
// (KEY=VALUE, as --set) into `out`. Throws BadConfig before any work for
// what the program refuses, including an existing `out` without
// `overwrite`; a run that fails returns status "failed" and its reason.
RunResult run_experiment(const std::string& ini,
                         const std::vector<std::string>& overrides,
                         const std::string& out, bool overwrite = false);

struct RunData {
  std::string status;
  std::string raftsim_version;
  std::map<std::string, std::string> config;           // the resolved keys
  std::map<std::string, std::vector<double>> metrics;  // /metrics, by column
};

// Reads a run file (any status). Throws BadRunFile.
RunData read_run(const std::string& path);

// The version of the library: "0.4.0".
std::string version();

}  // namespace raftsim::embed
