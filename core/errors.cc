#include "core/errors.h"

namespace raftsim {

ConfigError::ConfigError(std::string key, std::string value, std::string allowed)
    : std::runtime_error(key + " = '" + value + "' is not allowed: must be " + allowed),
      key_(std::move(key)),
      value_(std::move(value)),
      allowed_(std::move(allowed)) {}

IoError::IoError(std::string path, const std::string& operation,
                 const std::string& cause)
    : std::runtime_error(path + ": cannot " + operation +
                         (cause.empty() ? "" : ": " + cause)),
      path_(std::move(path)) {}

FormatError::FormatError(std::string path, const std::string& problem)
    : std::runtime_error(path + ": " + problem), path_(std::move(path)) {}

}  // namespace raftsim
