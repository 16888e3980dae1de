// Subprocess: start a program as a child process and wait for it. The one
// fork/exec in raftsim, used by sweeps (long-lived `raftsim sweep-worker`
// children fed points through pipes; Slurm's sbatch, squeue and scancel),
// `raftsim bench` and the tests.
//
//   const pid_t pid = start_child("/usr/bin/raftsim", {"run", "--config", ini},
//                                 "point.log");
//   const ChildExit e = wait_child(pid);  // e.code: exit status, or 128 + signal
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/file_descriptor.h"

namespace raftsim {

struct ChildExit {
  int code = -1;            // the exit status, or 128 + the signal that ended it
  long peak_rss_bytes = 0;  // the child's peak resident memory
};

// Starts `exe` with `args` (argv[0] is `exe`); the child is killed if this
// process dies. Its stdout and stderr go to
// `log` when given (created or truncated), else stay the parent's; with
// `quiet_stdout` its stdout goes to /dev/null. Throws std::system_error if
// fork fails; a program that cannot be executed exits 127.
pid_t start_child(const std::string& exe, const std::vector<std::string>& args,
                  const std::string& log = "", bool quiet_stdout = false);

// A child whose stdin and stdout are pipes from and to this process; its
// stderr goes to `log` (created or truncated) when given. The child dies
// with this process, as with start_child.
struct PipedChild {
  pid_t pid = -1;
  FileDescriptor to_child;    // write end: the child's stdin
  FileDescriptor from_child;  // read end: the child's stdout
};
PipedChild start_piped_child(const std::string& exe,
                             const std::vector<std::string>& args,
                             const std::string& log = "");

// Writes all of `bytes` to `fd` (a pipe to or from a child), retrying on
// EINTR; false if the other end is gone or another error occurred.
bool write_all(int fd, const std::string& bytes);

// Waits for the child `pid` (retrying on EINTR).
ChildExit wait_child(pid_t pid);

// Waits for any child; returns its pid and exit, or -1 when there is none
// or a signal interrupted the wait (errno EINTR).
pid_t wait_any_child(ChildExit& exit);

// The path of the running executable.
std::string self_executable();

// `program` found on PATH (or as given when it holds a '/'); empty if none.
std::string find_program(const std::string& program);

// Runs `exe` with `args` to its end; its stdout is returned, its stderr
// goes to this process's.
struct CommandResult {
  int code = -1;  // as ChildExit::code
  std::string output;
};
CommandResult run_command(const std::string& exe, const std::vector<std::string>& args);

}  // namespace raftsim
