#include "api/output_path.h"

#include <unistd.h>

#include <filesystem>

#include "core/errors.h"
#include "runfile/environment.h"

namespace fs = std::filesystem;

namespace raftsim {

void check_output(const std::string& out, bool overwrite) {
  const fs::path p(out);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (p.filename().empty()) throw ConfigError("--out", out, "a file path");
  // The README's `--out runs/q.h5` on a fresh clone: make the directory.
  std::error_code made;
  if (!fs::exists(dir)) fs::create_directories(dir, made);
  if (!fs::is_directory(dir))
    throw ConfigError("--out", out,
                      "a path in a directory raftsim can create ('" + dir.string() +
                          "' is not one" + (made ? ": " + made.message() : "") + ")");
  if (access(dir.c_str(), W_OK) != 0)
    throw ConfigError(
        "--out", out,
        "a path in a writable directory ('" + dir.string() + "' is not writable)");
  std::error_code ec;
  const auto status = fs::symlink_status(p, ec);
  if (fs::is_symlink(status) && !fs::exists(p))
    throw ConfigError("--out", out, "a file path (it is a dangling symbolic link)");
  if (!fs::exists(p)) return;
  if (fs::is_directory(p))
    throw ConfigError("--out", out, "a file path (it is a directory)");
  if (!overwrite)
    throw ConfigError("--out", out,
                      "a new file (it exists; pass --overwrite to replace it)");
  if (!fs::is_regular_file(p))
    throw ConfigError("--out", out, "a regular file to replace (it is not one)");
  if (access(p.c_str(), W_OK) != 0)
    throw ConfigError("--out", out,
                      "a file you may write (it exists and is not writable)");
}

std::string default_output(const std::string& config_path, uint64_t seed) {
  const std::string stem =
      config_path.empty() ? "default" : fs::path(config_path).stem().string();
  fs::create_directories("runs");
  std::string compact;
  for (char ch : utc_timestamp())
    if (ch != '-' && ch != ':') compact += ch;
  return "runs/" + stem + "-seed" + std::to_string(seed) + "-" + compact + ".h5";
}

}  // namespace raftsim
