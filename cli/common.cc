#include "cli/common.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "actors/engine.h"
#include "core/version.h"

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

void add_config_options(po::options_description& opts, std::string& config_path,
                        std::vector<std::string>& sets) {
  opts.add_options()("help,h", "show this help")(
      "config,c", po::value(&config_path), "INI file of configuration keys")(
      "set,s", po::value(&sets)->composing(),
      "KEY=VALUE: override one configuration key (repeatable; wins over --config)");
}

int parse_args(const std::string& command, const po::options_description& opts,
               const std::vector<std::string>& args, const std::string& extra_help,
               const po::positional_options_description* positional) {
  po::variables_map vm;
  try {
    po::command_line_parser parser(args);
    parser.options(opts);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "raftsim " << command << ": " << e.what() << " (see 'raftsim " << command
              << " --help')\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts << "\n" << extra_help;
    return 0;
  }
  return -1;
}

std::string self_executable() { return fs::read_symlink("/proc/self/exe").string(); }

}  // namespace raftsim::cli
