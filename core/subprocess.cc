#include "core/subprocess.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace raftsim {

namespace {

ChildExit decode(int status, const struct rusage& usage) {
  ChildExit e;
  if (WIFEXITED(status))
    e.code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    e.code = 128 + WTERMSIG(status);
  e.peak_rss_bytes = usage.ru_maxrss * 1024L;
  return e;
}

// Forks and execs `exe`; in the child, stdin/stdout become `in`/`out` when
// >= 0, stdout and stderr go to `log` when given (stderr only with
// `log_stderr_only`), stdout to /dev/null with `quiet_stdout`.
pid_t spawn(const std::string& exe, const std::vector<std::string>& args,
            const std::string& log, bool log_stderr_only, bool quiet_stdout, int in,
            int out) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec. The child dies
    // with its parent: a killed sweep leaves no run writing behind it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (in >= 0) dup2(in, STDIN_FILENO);
    if (out >= 0) dup2(out, STDOUT_FILENO);
    if (!log.empty()) {
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd >= 0) {
        if (!log_stderr_only) dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
      }
    }
    if (quiet_stdout) {
      const int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
      if (fd >= 0) dup2(fd, STDOUT_FILENO);
    }
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

pid_t start_child(const std::string& exe, const std::vector<std::string>& args,
                  const std::string& log, bool quiet_stdout) {
  return spawn(exe, args, log, false, quiet_stdout, -1, -1);
}

PipedChild start_piped_child(const std::string& exe,
                             const std::vector<std::string>& args,
                             const std::string& log) {
  int down[2], up[2];
  if (pipe2(down, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe");
  if (pipe2(up, O_CLOEXEC) != 0) {
    const int e = errno;
    close(down[0]);
    close(down[1]);
    throw std::system_error(e, std::generic_category(), "pipe");
  }
  PipedChild c;
  try {
    c.pid = spawn(exe, args, log, true, false, down[0], up[1]);
  } catch (...) {
    for (int fd : {down[0], down[1], up[0], up[1]}) close(fd);
    throw;
  }
  close(down[0]);
  close(up[1]);
  c.to_child = FileDescriptor(down[1]);
  c.from_child = FileDescriptor(up[0]);
  return c;
}

bool write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

ChildExit wait_child(pid_t pid) {
  int status = 0;
  struct rusage usage {};
  while (wait4(pid, &status, 0, &usage) < 0)
    if (errno != EINTR) return ChildExit{};
  return decode(status, usage);
}

pid_t wait_any_child(ChildExit& exit) {
  int status = 0;
  struct rusage usage {};
  pid_t pid;
  pid = wait4(-1, &status, 0, &usage);
  if (pid < 0) return -1;  // errno EINTR: a signal arrived
  exit = decode(status, usage);
  return pid;
}

std::string self_executable() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

std::string find_program(const std::string& program) {
  if (program.find('/') != std::string::npos)
    return access(program.c_str(), X_OK) == 0 ? program : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

CommandResult run_command(const std::string& exe,
                          const std::vector<std::string>& args) {
  PipedChild child = start_piped_child(exe, args);
  child.to_child.reset();
  CommandResult r;
  char buf[4096];
  while (true) {
    const ssize_t n = read(child.from_child.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    r.output.append(buf, static_cast<size_t>(n));
  }
  child.from_child.reset();
  r.code = wait_child(child.pid).code;
  return r;
}

}  // namespace raftsim
