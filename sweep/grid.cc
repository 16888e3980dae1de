#include "sweep/grid.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "experiment/experiment_hash.h"

namespace raftsim {

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

// A value as it may stand in a file name.
std::string file_safe(const std::string& v) {
  std::string out;
  for (char c : v)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
            c == '+' || c == '=' || c == '_')
               ? c
               : '-';
  return out;
}

}  // namespace

GridAxis parse_axis(const std::vector<std::string>& items) {
  GridAxis axis;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      throw ConfigError("--grid", item, "KEY=V1,V2,... with at least one value");
    const std::string key = item.substr(0, eq);
    if (!run_config_schema().find(key))
      throw ConfigError(key, item.substr(eq + 1),
                        "a known key ('raftsim run --help' lists them)");
    for (const auto& k : axis.keys)
      if (k == key) throw ConfigError("--grid", item, "a key not already in the grid");
    const std::string list = item.substr(eq + 1);
    if (list.front() == ',' || list.back() == ',' ||
        list.find(",,") != std::string::npos)
      throw ConfigError("--grid", item,
                        "KEY=V1,V2,... without an empty value (a comma at an end, "
                        "or two together)");
    const auto values = split(list, ',');
    if (!axis.keys.empty() && values.size() != axis.levels.size())
      throw ConfigError("--zip", item,
                        "as many values as the other zipped keys (" +
                            std::to_string(axis.levels.size()) + ")");
    if (axis.keys.empty()) axis.levels.resize(values.size());
    for (size_t i = 0; i < values.size(); ++i) axis.levels[i].push_back(values[i]);
    axis.keys.push_back(key);
  }
  return axis;
}

GridAxis seed_axis(uint64_t first, int n) {
  GridAxis axis;
  axis.keys = {"seed"};
  for (int i = 0; i < n; ++i) axis.levels.push_back({std::to_string(first + i)});
  return axis;
}

std::vector<SweepPoint> expand(const SweepSpec& spec, const Settings& base) {
  for (size_t a = 0; a < spec.axes.size(); ++a)
    for (size_t b = 0; b < a; ++b)
      for (const auto& ka : spec.axes[a].keys)
        for (const auto& kb : spec.axes[b].keys)
          if (ka == kb)
            throw ConfigError("--grid", ka, "each key in one --grid or --zip only");
  // Refuse a grid too large to run before expanding it (a few long --grid
  // lists multiply quickly).
  size_t total = 1;
  for (const auto& axis : spec.axes) {
    const size_t n = axis.levels.size();
    if (n == 0 || total > kMaxSweepPoints / n) {
      throw ConfigError("--grid", n == 0 ? "an axis with no values" : "more points",
                        "at most " + std::to_string(kMaxSweepPoints) +
                            " points in one sweep (split it into several sweeps)");
    }
    total *= n;
  }
  std::vector<SweepPoint> points;
  std::set<std::string> names;
  std::map<std::string, std::string> configs;  // resolved INI -> point name
  std::vector<size_t> index(spec.axes.size(), 0);
  for (;;) {
    SweepPoint p;
    std::string name;
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      const GridAxis& axis = spec.axes[a];
      for (size_t k = 0; k < axis.keys.size(); ++k) {
        const std::string& value = axis.levels[index[a]][k];
        p.overrides.emplace_back(axis.keys[k], value);
        if (axis.index_name.empty())
          name += (name.empty() ? "" : "_") + axis.keys[k] + "=" + value;
      }
      if (!axis.index_name.empty())
        name += (name.empty() ? "" : "_") + axis.index_name + "=" +
                std::to_string(index[a]);
    }
    p.name = name.empty() ? "run" : file_safe(name);
    if (p.name.size() > kMaxPointName)
      throw ConfigError("--grid", name,
                        "grid values that name a file of at most " +
                            std::to_string(kMaxPointName) +
                            " bytes (use shorter values or fewer grid keys)");
    Settings all = base;
    all.insert(all.end(), p.overrides.begin(), p.overrides.end());
    p.config = make_run_config(all);
    // Two points with one name would write one file at once.
    if (!names.insert(p.name).second)
      throw ConfigError("--grid", name,
                        "distinct grid points (this one appears twice)");
    // Values that parse to the same setting ("4" and "04") would run one
    // experiment twice and count it as two replicates.
    const auto [same, fresh] = configs.emplace(to_ini(p.config), name);
    if (!fresh)
      throw ConfigError("--grid", name,
                        "distinct grid points (it is the same configuration as " +
                            same->second + ")");
    points.push_back(std::move(p));
    // Next index, last axis fastest.
    size_t a = spec.axes.size();
    while (a > 0) {
      --a;
      if (++index[a] < spec.axes[a].levels.size()) break;
      index[a] = 0;
      if (a == 0) return points;
    }
    if (spec.axes.empty()) return points;
  }
}

std::string sweep_fingerprint(const SweepSpec& spec, const Settings& base) {
  // The resolved base INI, then one "axis" line per axis (its keys) and one
  // "level" line per level (its values), tab-separated: parse_fingerprint
  // reads it back to tell a grown sweep from a changed one.
  std::string text = to_ini(make_run_config(base)) + "\n# grid\n";
  for (const auto& axis : spec.axes) {
    text += "axis";
    for (const auto& key : axis.keys) text += "\t" + key;
    text += "\n";
    if (!axis.index_name.empty()) text += "named\t" + axis.index_name + "\n";
    for (const auto& level : axis.levels) {
      text += "level";
      for (const auto& value : level) text += "\t" + value;
      text += "\n";
    }
  }
  return text;
}

std::optional<StoredSweep> parse_fingerprint(const std::string& text) {
  const auto grid = text.find("\n# grid\n");
  if (grid == std::string::npos) return std::nullopt;
  StoredSweep out;
  std::istringstream ini(text.substr(0, grid));
  std::string section;
  for (std::string line; std::getline(ini, line);) {
    if (line.empty()) continue;
    if (line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2) + ".";
      continue;
    }
    const auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    out.base[section + line.substr(0, eq)] = line.substr(eq + 3);
  }
  std::istringstream axes(text.substr(grid + 8));
  for (std::string line; std::getline(axes, line);) {
    std::vector<std::string> fields;
    size_t start = 0;
    while (true) {
      const auto tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (fields[0] == "axis") {
      out.axes.push_back({{fields.begin() + 1, fields.end()}, {}, {}});
    } else if (fields[0] == "named" && fields.size() == 2 && !out.axes.empty()) {
      out.axes.back().index_name = fields[1];
    } else if (fields[0] == "level" && !out.axes.empty()) {
      out.axes.back().levels.emplace_back(fields.begin() + 1, fields.end());
    } else {
      return std::nullopt;  // the text of an older raftsim
    }
  }
  return out;
}

std::vector<std::string> base_differences(const std::map<std::string, std::string>& a,
                                          const std::map<std::string, std::string>& b,
                                          const std::string& a_name,
                                          const std::string& b_name) {
  std::vector<std::string> out;
  for (const auto& [key, value] : a) {
    if (is_injected_fault(key)) continue;
    const auto it = b.find(key);
    const std::string other = it == b.end() ? "(none)" : it->second;
    if (other != value)
      out.push_back(key + " = " + value + " " + a_name + ", " + other + " " + b_name);
  }
  return out;
}

std::vector<std::string> growth_conflicts(const StoredSweep& there,
                                          const SweepSpec& spec, const Settings& base) {
  // The base resolved as the fingerprint resolves it.
  const auto now = parse_fingerprint(sweep_fingerprint(SweepSpec{}, base));
  std::vector<std::string> out =
      base_differences(there.base, now->base, "there", "now");
  const auto keys_of = [](const std::vector<GridAxis>& axes) {
    std::string s;
    for (const auto& a : axes) {
      s += s.empty() ? "" : "; ";
      if (!a.index_name.empty()) s += a.index_name + ": ";
      for (size_t k = 0; k < a.keys.size(); ++k) s += (k ? "+" : "") + a.keys[k];
    }
    return s.empty() ? std::string("none") : s;
  };
  if (keys_of(there.axes) != keys_of(spec.axes)) {
    out.push_back("the grid's axes: " + keys_of(there.axes) + " there, " +
                  keys_of(spec.axes) + " now");
    return out;
  }
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    if (!spec.axes[a].index_name.empty()) {
      // Points are named by index: the draws there must be the first ones now.
      const auto& was = there.axes[a].levels;
      const auto& now_levels = spec.axes[a].levels;
      for (size_t i = 0; i < was.size(); ++i)
        if (i >= now_levels.size() || was[i] != now_levels[i]) {
          out.push_back(spec.axes[a].index_name + "=" + std::to_string(i) +
                        " has runs there drawn with other values (a changed --space "
                        "or --sample-seed; only --sample may grow)");
          break;
        }
      continue;
    }
    for (const auto& level : there.axes[a].levels)
      if (std::find(spec.axes[a].levels.begin(), spec.axes[a].levels.end(), level) ==
          spec.axes[a].levels.end()) {
        std::string v;
        for (size_t k = 0; k < level.size(); ++k)
          v += (k ? ", " : "") + spec.axes[a].keys[k] + " = " + level[k];
        out.push_back(v + " has runs there and is not in the new grid");
      }
  }
  return out;
}

}  // namespace raftsim
