// raftsim: the command-line program. Parses the command line and INI files
// with Boost.Program_options (the only place that does), then calls the
// library. Exit status: 0 success, 1 failure while running, 2 bad input,
// 130 interrupted.
#include <boost/program_options.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "actors/engine.h"
#include "core/version.h"
#include "experiments/run_config.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace raftsim::cli {

std::atomic<bool> g_interrupted{false};

namespace {

void on_signal(int sig) {
  if (g_interrupted.exchange(true)) {
    std::signal(sig, SIG_DFL);  // a second signal ends the process at once
    std::raise(sig);
  }
}

}  // namespace

void install_signal_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

// Every configuration key with its default and meaning, for --help.
std::string key_help() {
  std::string out =
      "Configuration keys (INI: [section] then key = value; command line: --set section.key=value)\n";
  for (const auto& k : run_config_schema().keys()) {
    std::string def = k.get(RunConfig{});
    if (def.empty()) def = "\"\"";
    std::string line = "  " + k.name + " = " + def;
    line += line.size() < 38 ? std::string(38 - line.size(), ' ') : "\n" + std::string(38, ' ');
    // Wrap the meaning at ~100 columns.
    std::string word, text = k.help;
    size_t col = 38;
    std::istringstream words(text);
    bool first = true;
    while (words >> word) {
      if (!first && col + 1 + word.size() > 100) {
        line += "\n" + std::string(38, ' ');
        col = 38;
      } else if (!first) {
        line += ' ';
        ++col;
      }
      line += word;
      col += word.size();
      first = false;
    }
    out += line + "\n";
  }
  return out;
}

Settings read_settings(const std::string& config_path, const std::vector<std::string>& sets) {
  Settings settings;
  if (!config_path.empty()) {
    std::ifstream in(config_path);
    if (!in)
      throw ConfigError("--config", config_path, "a readable INI file");
    po::options_description keys;
    for (const auto& k : run_config_schema().keys())
      keys.add_options()(k.name.c_str(), po::value<std::string>());
    po::parsed_options parsed = [&] {
      try {
        return po::parse_config_file(in, keys, /*allow_unregistered=*/true);
      } catch (const po::error& e) {
        throw ConfigError("--config", config_path, std::string("valid INI (") + e.what() + ")");
      }
    }();
    for (const auto& opt : parsed.options) {
      if (opt.unregistered || !run_config_schema().find(opt.string_key))
        throw ConfigError(opt.string_key, opt.value.empty() ? "" : opt.value[0],
                          "a known key (unknown key in " + config_path +
                              "; 'raftsim run --help' lists the keys)");
      settings.emplace_back(opt.string_key, opt.value.empty() ? "" : opt.value[0]);
    }
  }
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError("--set", s, "KEY=VALUE");
    const std::string key = s.substr(0, eq);
    if (!run_config_schema().find(key))
      throw ConfigError(key, s.substr(eq + 1), "a known key ('raftsim run --help' lists the keys)");
    settings.emplace_back(key, s.substr(eq + 1));
  }
  return settings;
}

void check_output(const std::string& out, bool overwrite) {
  const fs::path p(out);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (p.filename().empty()) throw ConfigError("--out", out, "a file path");
  if (!fs::is_directory(dir))
    throw ConfigError("--out", out, "a path in an existing directory ('" + dir.string() + "' is not one)");
  if (access(dir.c_str(), W_OK) != 0)
    throw ConfigError("--out", out, "a path in a writable directory ('" + dir.string() + "' is not writable)");
  if (fs::exists(p) && !overwrite)
    throw ConfigError("--out", out, "a new file (it exists; pass --overwrite to replace it)");
}

std::string environment_text() {
  std::string env = std::string("raftsim ") + kVersion + "; " + build_environment();
  std::ifstream pkgs("/etc/raftsim/packages");
  if (pkgs) {
    env += "\n";
    env.append(std::istreambuf_iterator<char>(pkgs), std::istreambuf_iterator<char>());
  }
  return env;
}

int run_command(const std::vector<std::string>& args) {
  std::string config_path, out;
  std::vector<std::string> sets;
  bool overwrite = false, quiet = false;
  po::options_description opts("raftsim run: one RAFT experiment, logged to an HDF5 file.\n\n"
                               "Usage: raftsim run [--config FILE.ini] [--set KEY=VALUE]... "
                               "[--out FILE.h5] [--overwrite] [--quiet]\n\nOptions");
  opts.add_options()("help,h", "show this help and every configuration key")(
      "config,c", po::value(&config_path), "INI file of configuration keys")(
      "set,s", po::value(&sets)->composing(), "KEY=VALUE: override one key (repeatable; wins over --config)")(
      "out,o", po::value(&out),
      "output HDF5 file (default: runs/<config name>-seed<seed>-<UTC time>.h5)")(
      "overwrite", po::bool_switch(&overwrite), "replace an existing output file")(
      "quiet,q", po::bool_switch(&quiet), "no progress line");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(opts).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "raftsim run: " << e.what() << " (see 'raftsim run --help')\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts << "\n" << key_help();
    return 0;
  }

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
  } catch (const ConfigError& e) {
    std::cerr << "raftsim run: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
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

namespace {
const char* kUsage =
    "raftsim: a research simulator for reward-ranked fine-tuning (RAFT).\n\n"
    "Usage: raftsim <command> [options]\n\n"
    "Commands:\n"
    "  run        run one experiment and log it to an HDF5 file\n\n"
    "Options:\n"
    "  -h, --help     show this help ('raftsim <command> --help' for a command)\n"
    "  --version      print the version\n";
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "raftsim " << raftsim::kVersion << "\n";
    return 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "run") return raftsim::cli::run_command(args);
  std::cerr << "raftsim: unknown command '" << command << "' (see 'raftsim --help')\n";
  return 2;
}
