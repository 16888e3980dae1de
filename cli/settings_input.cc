#include "cli/settings_input.h"

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <set>

namespace po = boost::program_options;

namespace raftsim::cli {

Settings read_settings(const std::string& config_path,
                       const std::vector<std::string>& sets) {
  Settings settings;
  if (!config_path.empty()) {
    if (!std::filesystem::is_regular_file(config_path))
      throw ConfigError("--config", config_path,
                        "a readable INI file (it is not a file)");
    std::ifstream in(config_path);
    if (!in) throw ConfigError("--config", config_path, "a readable INI file");
    po::options_description keys;
    for (const auto& k : run_config_schema().keys())
      keys.add_options()(k.name.c_str(), po::value<std::string>());
    po::parsed_options parsed = [&] {
      try {
        return po::parse_config_file(in, keys, /*allow_unregistered=*/true);
      } catch (const po::error& e) {
        throw ConfigError("--config", config_path,
                          std::string("valid INI (") + e.what() + ")");
      }
    }();
    std::set<std::string> seen;
    for (const auto& opt : parsed.options) {
      if (opt.unregistered || !run_config_schema().find(opt.string_key))
        throw ConfigError(opt.string_key, opt.value.empty() ? "" : opt.value[0],
                          "a known key (unknown key in " + config_path +
                              "; 'raftsim run --help' lists the keys)");
      if (!seen.insert(opt.string_key).second)
        throw ConfigError(
            opt.string_key, opt.value.empty() ? "" : opt.value[0],
            "set once in " + config_path + " (it is set twice; --set overrides)");
      settings.emplace_back(opt.string_key, opt.value.empty() ? "" : opt.value[0]);
    }
  }
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw ConfigError("--set", s, "KEY=VALUE");
    const std::string key = s.substr(0, eq);
    if (!run_config_schema().find(key))
      throw ConfigError(key, s.substr(eq + 1),
                        "a known key ('raftsim run --help' lists the keys)");
    settings.emplace_back(key, s.substr(eq + 1));
  }
  return settings;
}

}  // namespace raftsim::cli
