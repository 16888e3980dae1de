// FileLock: an exclusive advisory lock on a file's identity, so that two
// raftsim processes never write one run file, or run in one sweep
// directory, at once, whatever name, symbolic link or hard link reaches it.
//
// A run file is locked with an open-file-description lock (fcntl
// F_OFD_SETLK) over the whole file: it belongs to the inode, not the name,
// is independent of HDF5's own flock on the same file, and the operating
// system releases it when the holder dies, however it dies. A directory is
// locked with flock on the directory itself. No lock file is made, so there
// is no path that could be followed or truncated. Move-only.
#pragma once

#include <optional>
#include <string>

namespace raftsim {

class FileLock {
 public:
  // Opens the file `path` (following a link: the lock is on what it points
  // to), creating an empty one if none exists and never truncating, and
  // locks it; nullopt when another process holds the lock. Throws IoError
  // if it cannot be opened or is not a regular file (a FIFO, a device).
  static std::optional<FileLock> try_lock(const std::string& path);
  // Whether a process holds the lock of the file `path` now (a run writes
  // it); takes no lock and creates nothing. False for a missing file.
  static bool is_held(const std::string& path);
  // The same for the directory `path`, which must exist.
  static std::optional<FileLock> try_lock_directory(const std::string& path);

  // True when try_lock created the file (a caller that ends before writing
  // anything removes it again).
  bool created() const { return created_; }

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();  // unlocks

 private:
  FileLock(int fd, bool created) : fd_(fd), created_(created) {}
  int fd_ = -1;
  bool created_ = false;
};

}  // namespace raftsim
