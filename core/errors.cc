#include "core/errors.h"

#include <new>

namespace raftsim {

std::string one_line(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e))
    return "out of memory (an allocation failed: lower the sizes, or raise the "
           "memory limit)";
  std::string text = e.what();
  text = text.substr(0, text.find('\n'));
  const auto end = text.find_last_not_of(" \t\r");
  return end == std::string::npos ? "unknown error" : text.substr(0, end + 1);
}

ConfigError::ConfigError(std::string key, std::string value, std::string allowed)
    : std::runtime_error(key + " = '" + value + "' is not allowed: must be " + allowed),
      key_(std::move(key)),
      value_(std::move(value)),
      allowed_(std::move(allowed)) {}

ConfigError ConfigError::only(const std::string& key, const std::string& value,
                              const std::string& required, const std::string& why) {
  return ConfigError(key, value, required + why + "; set " + key + " = " + required);
}

IoError::IoError(std::string path, const std::string& operation,
                 const std::string& cause)
    : std::runtime_error(path + ": cannot " + operation +
                         (cause.empty() ? "" : ": " + cause)),
      path_(std::move(path)) {}

FormatError::FormatError(std::string path, const std::string& problem)
    : std::runtime_error(path + ": " + problem), path_(std::move(path)) {}

}  // namespace raftsim
