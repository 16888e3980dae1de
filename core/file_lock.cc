#include "core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/errors.h"

namespace raftsim {

std::optional<FileLock> FileLock::try_lock(const std::string& path,
                                           std::string* holder) {
  const std::string lock_path = path + ".lock";
  const int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError(lock_path, "create the lock file", std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (holder) {
      char buf[32] = {0};
      const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
      *holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    }
    close(fd);
    return std::nullopt;
  }
  const std::string pid = std::to_string(getpid());
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid is information only; the lock itself holds.
  }
  return FileLock(fd, lock_path);
}

FileLock::FileLock(int fd, std::string lock_path)
    : fd_(fd), lock_path_(std::move(lock_path)) {}

FileLock::FileLock(FileLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), lock_path_(std::move(other.lock_path_)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    this->~FileLock();
    fd_ = std::exchange(other.fd_, -1);
    lock_path_ = std::move(other.lock_path_);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ < 0) return;
  unlink(lock_path_.c_str());
  close(fd_);
  fd_ = -1;
}

}  // namespace raftsim
