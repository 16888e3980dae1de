// FileLock: an exclusive advisory lock (flock) on "<path>.lock", so that two
// raftsim processes never write one run file or one sweep directory at
// once. The lock file holds the holder's pid; the operating system releases
// the lock when the holder dies, however it dies. Move-only.
#pragma once

#include <optional>
#include <string>

namespace raftsim {

class FileLock {
 public:
  // Locks `path` + ".lock", or returns nullopt when another process holds
  // it (its pid, when known, in `holder`). Throws IoError if the lock file
  // cannot be created.
  static std::optional<FileLock> try_lock(const std::string& path, std::string* holder);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();  // unlocks and removes the lock file

 private:
  FileLock(int fd, std::string lock_path);
  int fd_ = -1;
  std::string lock_path_;
};

}  // namespace raftsim
