#include "core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/errors.h"

namespace raftsim {

std::optional<FileLock> FileLock::try_lock(const std::string& path) {
  bool created = true;
  // O_NOFOLLOW with O_EXCL: a new file is made here, never through a link.
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    // O_NONBLOCK: a FIFO must not hang the open; it is refused below.
    fd = open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  }
  if (fd < 0) throw IoError(path, "open for locking", std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    throw IoError(path, "lock", "it is not a regular file");
  }
  struct flock whole {};
  whole.l_type = F_WRLCK;
  whole.l_whence = SEEK_SET;
  if (fcntl(fd, F_OFD_SETLK, &whole) != 0) {
    const int e = errno;
    close(fd);
    if (e == EAGAIN || e == EACCES) return std::nullopt;
    throw IoError(path, "lock", std::strerror(e));
  }
  return FileLock(fd, created);
}

bool FileLock::is_held(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock whole {};
  whole.l_type = F_WRLCK;
  whole.l_whence = SEEK_SET;
  const bool held = fcntl(fd, F_OFD_GETLK, &whole) == 0 && whole.l_type != F_UNLCK;
  close(fd);
  return held;
}

std::optional<FileLock> FileLock::try_lock_directory(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw IoError(path, "open for locking", std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    close(fd);
    if (e == EWOULDBLOCK) return std::nullopt;
    throw IoError(path, "lock", std::strerror(e));
  }
  return FileLock(fd, false);
}

FileLock::FileLock(FileLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), created_(other.created_) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    created_ = other.created_;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace raftsim
