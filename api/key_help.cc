#include "api/key_help.h"

#include <sstream>

#include "experiment/run_config.h"

namespace raftsim {

std::string key_help() {
  std::string out =
      "Configuration keys (INI: [section] then key = value; command line: --set "
      "section.key=value)\n";
  for (const auto& k : run_config_schema().keys()) {
    std::string def = k.get(RunConfig{});
    if (def.empty()) def = "\"\"";
    std::string line = "  " + k.name + " = " + def;
    line += line.size() < 38 ? std::string(38 - line.size(), ' ')
                             : "\n" + std::string(38, ' ');
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

}  // namespace raftsim
