// The error types of raftsim, one per kind of failure, so that every
// boundary (a command, an actor, a reader of many files) can say what went
// wrong in one line and choose the exit status from the kind alone:
//
//   ConfigError  bad input: a key (or option), the value given and what is
//                allowed. Raised before any work; exit status 2.
//   IoError      a file could not be created, opened, read or written: the
//                path, the operation and the cause (HDF5's message, errno).
//   FormatError  a file opened but does not hold what its reader expects
//                (a run file without /metrics, a foreign sweep.h5).
// All derive from std::runtime_error. No H5::Exception leaves core/: the
// HDF5 wrapper (core/h5_file.h) translates each into an IoError.
#pragma once

#include <stdexcept>
#include <string>

namespace raftsim {

// What a boundary prints of any exception: the first line of e.what()
// (LibTorch appends a 20-line backtrace), trimmed; for std::bad_alloc a
// sentence that says memory ran out.
std::string one_line(const std::exception& e);

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, std::string value, std::string allowed);
  // Where one value alone is allowed here, the message ends with the fix:
  // "KEY = 'V' is not allowed: must be REQUIRED WHY; set KEY = REQUIRED".
  static ConfigError only(const std::string& key, const std::string& value,
                          const std::string& required, const std::string& why);
  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }
  const std::string& allowed() const { return allowed_; }

 private:
  std::string key_, value_, allowed_;
};

class IoError : public std::runtime_error {
 public:
  IoError(std::string path, const std::string& operation, const std::string& cause);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class FormatError : public std::runtime_error {
 public:
  FormatError(std::string path, const std::string& problem);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace raftsim
