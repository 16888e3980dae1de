// raftsim bench: parses its options and runs the benchmark of
// analysis/benchmark.h.
#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>

#include "analysis/benchmark.h"
#include "api/settings_input.h"
#include "cli/commands.h"
#include "cli/options.h"

namespace po = boost::program_options;

namespace raftsim::cli {

namespace {

std::vector<int> int_list(const std::string& key, const std::string& text, int hi) {
  std::vector<int> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    out.push_back(static_cast<int>(parse_int(key, item, 1, hi)));
  if (out.empty())
    throw ConfigError(key, text, "a comma-separated list of integers >= 1");
  return out;
}

}  // namespace

int bench_command(const std::vector<std::string>& args) {
  std::string config_path = "experiments/bench.ini", generators_text = "1,2",
              lengths_text = "8,32";
  int repeats = 3;
  std::vector<std::string> sets;
  po::options_description opts(
      "raftsim bench: throughput, stage times, scaling, FLOP rate and memory of a "
      "config.\n\n"
      "Usage: raftsim bench [--config FILE.ini] [--set KEY=VALUE]... [--generators "
      "1,2] [--repeats 3] [--lengths 8,32]\n(default config: "
      "experiments/bench.ini)\n\nOptions");
  add_config_options(opts, config_path, sets);
  opts.add_options()("generators",
                     po::value(&generators_text)->default_value(generators_text),
                     "generator counts to run the config with")(
      "repeats", po::value(&repeats)->default_value(repeats),
      "runs per measurement; the fastest is reported")(
      "lengths", po::value(&lengths_text)->default_value(lengths_text),
      "response lengths for the per-token sampling cost (token policies)");
  if (const auto status = parse_args("bench", opts, args)) return to_int(*status);
  RunConfig config;
  std::vector<int> generators, lengths;
  try {
    config = make_run_config(read_settings(config_path, sets));
    // The range of actors.generators, checked before any run starts.
    generators = int_list("--generators", generators_text, 256);
    lengths = int_list("--lengths", lengths_text, 4096);
    parse_int("--repeats", std::to_string(repeats), 1, 100);
  } catch (const std::exception& e) {
    std::cerr << "raftsim bench: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }

  try {
    run_benchmark({config, config_path, generators, lengths, repeats});
  } catch (const std::exception& e) {
    std::cerr << "raftsim bench: " << e.what() << "\n";
    return to_int(ExitStatus::kFailure);
  }
  return to_int(ExitStatus::kOk);
}

}  // namespace raftsim::cli
