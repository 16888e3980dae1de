#include "sweep/random_search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "core/errors.h"
#include "core/rng.h"

namespace raftsim {

namespace {

constexpr const char* kAllowed =
    "KEY=log:LO:HI (0 < LO < HI), KEY=lin:LO:HI (LO < HI), KEY=int:LO:HI (integers, "
    "LO < HI) or KEY=choice:A,B,...";

// A finite number, or nothing.
bool number(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return *end == '\0' && std::isfinite(out);
}

std::string format6(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

SpaceDimension parse_space(const std::string& item) {
  const auto eq = item.find('=');
  const auto colon = item.find(':', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || eq == 0 || colon == std::string::npos)
    throw ConfigError("--space", item, kAllowed);
  SpaceDimension d;
  d.key = item.substr(0, eq);
  if (!run_config_schema().find(d.key))
    throw ConfigError("--space", item, "a known key ('raftsim run --help' lists them)");
  const std::string kind = item.substr(eq + 1, colon - eq - 1);
  const std::string rest = item.substr(colon + 1);
  if (kind == "choice") {
    d.kind = SpaceDimension::Kind::kChoice;
    std::string value;
    for (size_t i = 0; i <= rest.size(); ++i) {
      if (i == rest.size() || rest[i] == ',') {
        if (value.empty())
          throw ConfigError("--space", item, "choice:A,B,... without an empty value");
        d.choices.push_back(value);
        value.clear();
      } else {
        value += rest[i];
      }
    }
    return d;
  }
  const auto sep = rest.find(':');
  double lo = 0, hi = 0;
  if (sep == std::string::npos || !number(rest.substr(0, sep), lo) ||
      !number(rest.substr(sep + 1), hi) || !(lo < hi))
    throw ConfigError("--space", item, kAllowed);
  d.lo = lo;
  d.hi = hi;
  if (kind == "log") {
    if (lo <= 0) throw ConfigError("--space", item, "log:LO:HI with 0 < LO < HI");
    d.kind = SpaceDimension::Kind::kLog;
  } else if (kind == "lin") {
    d.kind = SpaceDimension::Kind::kLinear;
  } else if (kind == "int") {
    if (lo != std::floor(lo) || hi != std::floor(hi) || std::fabs(lo) > 1e15 ||
        std::fabs(hi) > 1e15)
      throw ConfigError("--space", item, "int:LO:HI with integer bounds");
    d.kind = SpaceDimension::Kind::kInt;
  } else {
    throw ConfigError("--space", item, kAllowed);
  }
  return d;
}

std::string draw_value(const SpaceDimension& d, double u) {
  switch (d.kind) {
    case SpaceDimension::Kind::kLog:
      return format6(std::exp(std::log(d.lo) + u * (std::log(d.hi) - std::log(d.lo))));
    case SpaceDimension::Kind::kLinear:
      return format6(d.lo + u * (d.hi - d.lo));
    case SpaceDimension::Kind::kInt: {
      const double span = d.hi - d.lo + 1;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0f",
                    std::fmin(d.lo + std::floor(u * span), d.hi));
      return buf;
    }
    case SpaceDimension::Kind::kChoice: {
      const size_t i = static_cast<size_t>(u * static_cast<double>(d.choices.size()));
      return d.choices[std::min(i, d.choices.size() - 1)];
    }
  }
  return {};
}

GridAxis sample_axis(const std::vector<SpaceDimension>& space, int n, uint64_t seed) {
  if (n < 1) throw ConfigError("--sample", std::to_string(n), "an integer >= 1");
  if (space.empty())
    throw ConfigError("--sample", std::to_string(n), "at least one --space KEY=...");
  GridAxis axis;
  axis.index_name = "sample";
  std::set<std::string> seen;
  for (const auto& d : space) {
    if (!seen.insert(d.key).second)
      throw ConfigError("--space", d.key, "each key in one --space only");
    axis.keys.push_back(d.key);
  }
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> level;
    for (size_t k = 0; k < space.size(); ++k) {
      Rng rng(derive_seed(seed, Purpose::kSweepSample, static_cast<uint64_t>(i), k));
      level.push_back(draw_value(space[k], rng.uniform()));
    }
    axis.levels.push_back(std::move(level));
  }
  return axis;
}

}  // namespace raftsim
