#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "actors/engine.h"
#include "cli/common.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace raftsim::cli {

int run_command(const std::vector<std::string>& args) {
  std::string config_path, out;
  std::vector<std::string> sets;
  bool overwrite = false, quiet = false;
  po::options_description opts("raftsim run: one RAFT experiment, logged to an HDF5 file.\n\n"
                               "Usage: raftsim run [--config FILE.ini] [--set KEY=VALUE]... "
                               "[--out FILE.h5] [--overwrite] [--quiet]\n\nOptions");
  add_config_options(opts, config_path, sets);
  opts.add_options()("out,o", po::value(&out),
                     "output HDF5 file (default: runs/<config name>-seed<seed>-<UTC time>.h5)")(
      "overwrite", po::bool_switch(&overwrite), "replace an existing output file")(
      "quiet,q", po::bool_switch(&quiet), "no progress line");
  if (const int status = parse_args("run", opts, args, key_help()); status >= 0) return status;

  RunConfig config;
  try {
    config = make_run_config(read_settings(config_path, sets));
    if (out.empty()) {
      const std::string stem = config_path.empty() ? "default" : fs::path(config_path).stem().string();
      fs::create_directories("runs");
      const std::string stamp = utc_timestamp();
      std::string compact;
      for (char ch : stamp)
        if (ch != '-' && ch != ':') compact += ch;
      out = "runs/" + stem + "-seed" + std::to_string(config.seed) + "-" + compact + ".h5";
    }
    check_output(out, overwrite);
  } catch (const std::exception& e) {  // ConfigError, or the output directory
    std::cerr << "raftsim run: " << e.what() << "\n";
    return 2;
  }

  install_signal_handlers();
  RunOptions options;
  options.out_path = out;
  options.overwrite = overwrite;
  options.quiet = quiet;
  options.interrupt = &g_interrupted;
  options.environment = environment_text();
  RunOutcome outcome;
  try {
    outcome = run_experiment(config, options);
  } catch (const std::exception& e) {
    std::cerr << "raftsim run: " << e.what() << "\n";
    return 1;
  }
  std::cout << out << "  status=" << outcome.status << "  iterations=" << outcome.iterations_logged
            << "\n";
  if (outcome.status == "complete") return 0;
  if (outcome.status == "interrupted") return 130;
  std::cerr << "raftsim run: failed: " << outcome.error << "\n";
  return 1;
}

}  // namespace raftsim::cli
