#include "api/settings_input.h"

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace po = boost::program_options;

namespace raftsim {

namespace {

// Where INI text breaks Boost's config-file grammar: after cutting a '#'
// comment and trimming, a line must be empty, "[section]" or contain '='.
std::string describe_bad_line(const std::string& text) {
  // A binary file: say so, and print none of its bytes.
  for (unsigned char c : text)
    if (c == 0 ||
        (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v'))
      return "a text file (it holds binary data)";
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    std::string s = line.substr(0, line.find('#'));
    const auto first = s.find_first_not_of(" \t\r\v\f");
    if (first == std::string::npos) continue;
    s = s.substr(first, s.find_last_not_of(" \t\r\v\f") - first + 1);
    if ((s.front() == '[' && s.back() == ']') || s.find('=') != std::string::npos)
      continue;
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return "line " + std::to_string(number) + " is '" + s +
           "': each line is [section], key = value, or a # comment";
  }
  return "[section], key = value and # comment lines only";
}

}  // namespace

Settings read_settings(const std::string& config_path,
                       const std::vector<std::string>& sets) {
  if (config_path.empty()) {
    std::istringstream none;
    return parse_settings(none, "", sets);
  }
  if (!std::filesystem::is_regular_file(config_path))
    throw ConfigError("--config", config_path,
                      "a readable INI file (it is not a file)");
  std::ifstream in(config_path);
  if (!in) throw ConfigError("--config", config_path, "a readable INI file");
  return parse_settings(in, config_path, sets);
}

Settings parse_settings(std::istream& ini, const std::string& source,
                        const std::vector<std::string>& sets) {
  Settings settings;
  po::options_description keys;
  for (const auto& k : run_config_schema().keys())
    keys.add_options()(k.name.c_str(), po::value<std::string>());
  const std::string text(std::istreambuf_iterator<char>(ini), {});
  std::istringstream in(text);
  po::parsed_options parsed = [&] {
    try {
      return po::parse_config_file(in, keys, /*allow_unregistered=*/true);
    } catch (const po::error&) {
      // Not e.what(): Boost 1.74 substitutes the offending line into its
      // message template and loops forever when the line itself contains
      // a placeholder such as "%invalid_line%" (found by fuzzing).
      throw ConfigError("--config", source,
                        "valid INI (" + describe_bad_line(text) + ")");
    }
  }();
  std::set<std::string> seen;
  for (const auto& opt : parsed.options) {
    const std::string value = opt.value.empty() ? "" : opt.value[0];
    if (opt.unregistered || !run_config_schema().find(opt.string_key))
      throw ConfigError(opt.string_key, value,
                        "a known key (unknown key in " + source +
                            "; 'raftsim run --help' lists the keys)");
    if (!seen.insert(opt.string_key).second)
      throw ConfigError(
          opt.string_key, value,
          "set once in " + source + " (it is set twice; --set overrides)");
    settings.emplace_back(opt.string_key, value);
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

}  // namespace raftsim
