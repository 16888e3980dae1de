// raftsim sweep-worker (internal): runs sweep points one after another in
// this process, so a sweep of many small points pays the program's start-up
// (LibTorch alone is ~0.7 s) once per worker, not once per point.
//
// Protocol, on stdin and stdout (sweep/sweep.cc is the other end): a request
// is NUL-terminated fields ending with an empty field: the point's log file,
// then the arguments of `raftsim run` ("run", "--config", ...). The point
// runs as `raftsim run` would, its output in the log, and the worker answers
// with the exit status and a newline. EOF on stdin ends the worker; so does
// an interrupt (SIGINT/SIGTERM), once the point in hand has stopped.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/signals.h"
#include "core/exit_status.h"
#include "core/subprocess.h"

namespace raftsim::cli {

namespace {

// Reads one request; false at EOF.
bool read_request(std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  while (std::getline(std::cin, field, '\0')) {
    if (field.empty()) return !fields.empty();
    fields.push_back(field);
  }
  return false;
}

}  // namespace

int worker_command(const std::vector<std::string>&) {
  install_signal_handlers();
  // Answers go to the original stdout; during a point, stdout and stderr
  // are its log, and between points /dev/null and the worker's own stderr.
  const int answers = dup(STDOUT_FILENO);
  const int own_stderr = dup(STDERR_FILENO);
  const int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (answers < 0 || own_stderr < 0 || null < 0) {
    std::perror("raftsim sweep-worker");
    return to_int(ExitStatus::kFailure);
  }
  dup2(null, STDOUT_FILENO);
  std::vector<std::string> fields;
  while (!g_interrupted && read_request(fields)) {
    const std::string log = fields.front();
    const std::vector<std::string> args(fields.begin() + 1, fields.end());
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    int code;
    if (args.empty() || args.front() != "run") {
      std::cerr << "raftsim sweep-worker: a request must be a 'run' command\n";
      code = to_int(ExitStatus::kBadInput);
    } else {
      code = run_command({args.begin() + 1, args.end()});
    }
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    dup2(null, STDOUT_FILENO);
    dup2(own_stderr, STDERR_FILENO);
    if (!write_all(answers, std::to_string(code) + "\n")) break;
  }
  return to_int(ExitStatus::kOk);
}

}  // namespace raftsim::cli
