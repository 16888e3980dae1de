#include "core/config.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace raftsim {

namespace {
std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string range_text(const char* what, double lo, double hi, bool lo_open,
                       bool hi_open) {
  std::string s = what;
  const bool has_lo = std::isfinite(lo), has_hi = std::isfinite(hi);
  if (has_lo && has_hi) {
    s += std::string(" in ") + (lo_open ? "(" : "[") + format_double(lo) + ", " +
         format_double(hi) + (hi_open ? ")" : "]");
  } else if (has_lo) {
    s += std::string(lo_open ? " > " : " >= ") + format_double(lo);
  } else if (has_hi) {
    s += std::string(hi_open ? " < " : " <= ") + format_double(hi);
  }
  return s;
}
}  // namespace

int64_t parse_int(const std::string& key, const std::string& text, int64_t lo,
                  int64_t hi) {
  const std::string t = trimmed(text);
  std::string allowed = "an integer";
  if (lo != std::numeric_limits<int64_t>::min() &&
      hi != std::numeric_limits<int64_t>::max())
    allowed += " in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  else if (lo != std::numeric_limits<int64_t>::min())
    allowed += " >= " + std::to_string(lo);
  else if (hi != std::numeric_limits<int64_t>::max())
    allowed += " <= " + std::to_string(hi);
  if (t.empty()) throw ConfigError(key, text, allowed);
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(t.c_str(), &end, 10);
  if (errno != 0 || end != t.c_str() + t.size() || v < lo || v > hi)
    throw ConfigError(key, text, allowed);
  return v;
}

double parse_double(const std::string& key, const std::string& text, double lo,
                    double hi, bool lo_open, bool hi_open) {
  const std::string t = trimmed(text);
  const std::string allowed = range_text("a finite number", lo, hi, lo_open, hi_open);
  if (t.empty()) throw ConfigError(key, text, allowed);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  // Underflow (1e-400) reads as 0 or a denormal and is allowed; overflow
  // reads as infinity and is not; nor are hexadecimal floats, nan and inf.
  if (end != t.c_str() + t.size() || !std::isfinite(v) ||
      t.find_first_of("xX") != std::string::npos || v < lo || v > hi ||
      (lo_open && v == lo) || (hi_open && v == hi))
    throw ConfigError(key, text, allowed);
  return v;
}

bool parse_bool(const std::string& key, const std::string& text) {
  const std::string t = trimmed(text);
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  throw ConfigError(key, text, "a boolean (true/false, 1/0, yes/no, on/off)");
}

std::string parse_choice(const std::string& key, const std::string& text,
                         const std::vector<std::string>& choices) {
  const std::string t = trimmed(text);
  for (const auto& c : choices)
    if (c == t) return t;
  throw ConfigError(key, text, "one of: " + join(choices, ", "));
}

std::string join_or(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? " or " : ", ") + items[i];
  return out;
}

std::string format_double(double x) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

}  // namespace raftsim
