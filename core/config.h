// Configuration keys: parsing, validation and the resolved INI text.
//
// A program's configuration is a plain struct with defaults in its members.
// A ConfigSchema<Cfg> binds dotted key names ("sampler.k") to those members,
// with a one-line meaning and the allowed values, so that
//   - the CLI lists every key with its default (schema.keys()),
//   - settings from INI files and --set are applied with one clear error per
//     bad value (ConfigError names the key, the value and what is allowed),
//   - the fully resolved configuration is written back as INI text
//     (schema.to_ini), which reproduces the run on its own.
// Command-line parsing itself (Boost.Program_options) lives only in main.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.h"

namespace raftsim {

// Strict scalar parsing: the whole text must be the value. Each throws
// ConfigError(key, text, <what is allowed>) on failure.
int64_t parse_int(const std::string& key, const std::string& text, int64_t lo,
                  int64_t hi);
double parse_double(const std::string& key, const std::string& text, double lo,
                    double hi, bool lo_open = false, bool hi_open = false);
bool parse_bool(const std::string& key, const std::string& text);
std::string parse_choice(const std::string& key, const std::string& text,
                         const std::vector<std::string>& choices);

// Shortest decimal text that parses back to exactly the same double.
std::string format_double(double x);
std::string join(const std::vector<std::string>& items, const std::string& sep);
// "a", "a or b", "a, b or c".
std::string join_or(const std::vector<std::string>& items);

template <class Cfg>
class ConfigSchema {
 public:
  struct Key {
    std::string name;
    std::string help;  // meaning and allowed values
    std::function<void(Cfg&, const std::string&)> set;
    std::function<std::string(const Cfg&)> get;
    // Where the run happens, not what it computes (node addresses): set
    // like any key, but left out of the resolved INI and /config, so that
    // the stored configuration names the experiment alone.
    bool environment = false;
  };

  template <class Access>
  void add_int(std::string name, std::string help, Access access,
               int64_t lo = std::numeric_limits<int64_t>::min(),
               int64_t hi = std::numeric_limits<int64_t>::max()) {
    const std::string key = name;
    add({std::move(name), std::move(help),
         [=](Cfg& c, const std::string& v) {
           using T = std::decay_t<decltype(access(c))>;
           access(c) = static_cast<T>(parse_int(key, v, lo, hi));
         },
         [=](const Cfg& c) { return std::to_string(access(const_cast<Cfg&>(c))); }});
  }

  // An integer in [lo, hi], or "auto" (stored as auto_value, outside
  // [lo, hi]): the value is then chosen when the run starts.
  template <class Access>
  void add_int_or_auto(std::string name, std::string help, Access access, int64_t lo,
                       int64_t hi, int64_t auto_value = 0) {
    const std::string key = name;
    help += " (or auto)";
    add({std::move(name), std::move(help),
         [=](Cfg& c, const std::string& v) {
           using T = std::decay_t<decltype(access(c))>;
           if (v == "auto") {
             access(c) = static_cast<T>(auto_value);
             return;
           }
           try {
             access(c) = static_cast<T>(parse_int(key, v, lo, hi));
           } catch (const ConfigError&) {
             throw ConfigError(key, v,
                               "auto or an integer in [" + std::to_string(lo) + ", " +
                                   std::to_string(hi) + "]");
           }
         },
         [=](const Cfg& c) {
           const auto v = access(const_cast<Cfg&>(c));
           return v == auto_value ? std::string("auto") : std::to_string(v);
         }});
  }

  template <class Access>
  void add_double(std::string name, std::string help, Access access,
                  double lo = -std::numeric_limits<double>::infinity(),
                  double hi = std::numeric_limits<double>::infinity(),
                  bool lo_open = false, bool hi_open = false) {
    const std::string key = name;
    add({std::move(name), std::move(help),
         [=](Cfg& c, const std::string& v) {
           access(c) = parse_double(key, v, lo, hi, lo_open, hi_open);
         },
         [=](const Cfg& c) { return format_double(access(const_cast<Cfg&>(c))); }});
  }

  template <class Access>
  void add_bool(std::string name, std::string help, Access access) {
    const std::string key = name;
    add({std::move(name), std::move(help),
         [=](Cfg& c, const std::string& v) { access(c) = parse_bool(key, v); },
         [=](const Cfg& c) {
           return std::string(access(const_cast<Cfg&>(c)) ? "true" : "false");
         }});
  }

  template <class Access>
  void add_choice(std::string name, std::string help, Access access,
                  std::vector<std::string> choices) {
    const std::string key = name;
    help += " (one of: " + join(choices, ", ") + ")";
    add({std::move(name), std::move(help),
         [=](Cfg& c, const std::string& v) {
           access(c) = parse_choice(key, v, choices);
         },
         [=](const Cfg& c) { return access(const_cast<Cfg&>(c)); }});
  }

  // Free text (a path, a list); `check` may throw ConfigError.
  template <class Access>
  void add_string(std::string name, std::string help, Access access,
                  std::function<void(const std::string&)> check = {}) {
    add({std::move(name), std::move(help),
         [=](Cfg& c, const std::string& v) {
           if (check) check(v);
           access(c) = v;
         },
         [=](const Cfg& c) { return access(const_cast<Cfg&>(c)); }});
  }

  // Marks the key added last as environment (see Key::environment).
  void mark_environment() { keys_.back().environment = true; }

  // Every key of `part`, reaching it through `member`: a component keeps its
  // own schema (full key names, "task.arms") next to its code, and the
  // program's configuration composes them.
  template <class Part>
  void include(Part Cfg::*member, const ConfigSchema<Part>& part) {
    for (const auto& k : part.keys()) {
      auto set = k.set;
      auto get = k.get;
      add({k.name, k.help, [=](Cfg& c, const std::string& v) { set(c.*member, v); },
           [=](const Cfg& c) { return get(c.*member); }, k.environment});
    }
  }

  const std::vector<Key>& keys() const { return keys_; }

  const Key* find(const std::string& name) const {
    for (const auto& k : keys_)
      if (k.name == name) return &k;
    return nullptr;
  }

  // Applies settings in order over `cfg`. Unknown keys are ConfigError.
  void apply(Cfg& cfg,
             const std::vector<std::pair<std::string, std::string>>& settings) const {
    for (const auto& [name, value] : settings) {
      const Key* k = find(name);
      if (!k) throw ConfigError(name, value, "a known key (see 'raftsim run --help')");
      k->set(cfg, value);
    }
  }

  // Every key but the environment ones with the value in `cfg`, grouped into
  // [section]s in key order; keys without a dot come first. Parsing this
  // text gives `cfg` back exactly, environment keys at their defaults.
  std::string to_ini(const Cfg& cfg) const {
    std::vector<std::pair<std::string, std::string>>
        sections;  // name, body; first-use order
    for (const auto& k : keys_) {
      if (k.environment) continue;
      const auto dot = k.name.find('.');
      const std::string sec = dot == std::string::npos ? "" : k.name.substr(0, dot);
      const std::string leaf =
          dot == std::string::npos ? k.name : k.name.substr(dot + 1);
      auto it = std::find_if(sections.begin(), sections.end(),
                             [&](const auto& s) { return s.first == sec; });
      if (it == sections.end()) it = sections.insert(sections.end(), {sec, ""});
      it->second += leaf + " = " + k.get(cfg) + "\n";
    }
    std::string out;
    for (const auto& [sec, body] : sections)
      out += (sec.empty() ? "" : "\n[" + sec + "]\n") + body;
    return out;
  }

 private:
  void add(Key k) { keys_.push_back(std::move(k)); }
  std::vector<Key> keys_;
};

}  // namespace raftsim
