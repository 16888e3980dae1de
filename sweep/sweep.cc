#include "sweep/sweep.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/exit_status.h"
#include "core/progress.h"
#include "core/resources.h"
#include "core/subprocess.h"
#include "runfile/resume.h"
#include "runfile/run_layout.h"
#include "sweep/manifest.h"

namespace fs = std::filesystem;

namespace raftsim {

namespace {

// `ini` without its [faults] section: injected faults belong to the session
// that ran them, so a point run with them is the same point without them.
std::string without_faults(const std::string& ini) {
  std::istringstream in(ini);
  std::string out;
  bool faults = false;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() == '[') faults = line == "[faults]";
    if (!faults) out += line + '\n';
  }
  return out;
}

bool same_point(const std::string& stored_ini, const std::string& ini) {
  return without_faults(stored_ini) == without_faults(ini);
}

}  // namespace

bool already_done(const std::string& path, const std::string& ini) {
  try {
    RunReader r(path);
    return r.status() == RunStatus::kComplete && same_point(r.config_ini(), ini);
  } catch (const std::exception&) {  // missing or unreadable: run it again
    return false;
  }
}

namespace {

// Whether `path` holds an unfinished run of exactly `ini` that
// `raftsim run --resume` can continue.
bool resumable(const std::string& path, const std::string& ini) {
  try {
    return same_point(RunReader(path).config_ini(), ini) &&
           (plan_resume(path, {}), true);
  } catch (const std::exception&) {
    return false;
  }
}

// A `raftsim sweep-worker` child and the point it has in hand.
struct Worker {
  PipedChild child;
  std::optional<size_t> point;
  std::string answer;   // bytes of an answer read so far
  bool broken = false;  // a request could not be written
  bool dead = false;    // its stdout reached end-of-file
};

// Sends a point (its log file, then `raftsim run` arguments) to `w`.
bool send_point(Worker& w, const std::string& log,
                const std::vector<std::string>& args) {
  std::string request = log + '\0';
  for (const auto& a : args) request += a + '\0';
  request += '\0';
  return write_all(w.child.to_child.get(), request);
}

// Reads what `w` wrote; true with `code` once a whole answer arrived. Sets
// w.dead at end-of-file.
bool read_answer(Worker& w, int& code) {
  char buf[64];
  ssize_t n;
  do n = read(w.child.from_child.get(), buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n <= 0) {
    w.dead = true;
    return false;
  }
  w.answer.append(buf, static_cast<size_t>(n));
  const auto end = w.answer.find('\n');
  if (end == std::string::npos) return false;
  code = std::atoi(w.answer.substr(0, end).c_str());
  w.answer.erase(0, end + 1);
  return true;
}

// Closes the worker's stdin (it exits at end-of-file) and waits for it.
ChildExit end_worker(Worker& w) {
  w.child.to_child.reset();
  w.child.from_child.reset();
  return wait_child(w.child.pid);
}

}  // namespace

std::string point_status(int code) {
  switch (static_cast<ExitStatus>(code)) {
    case ExitStatus::kOk:
      return to_string(RunStatus::kComplete);
    case ExitStatus::kInterrupted:
      return to_string(RunStatus::kInterrupted);
    default:
      return to_string(RunStatus::kFailed);
  }
}

SweepPlan plan_sweep(const SweepSpec& spec, const Settings& base,
                     const std::vector<SweepPoint>& points, const SweepOptions& opt) {
  const fs::path dir(opt.out_dir);
  fs::create_directories(dir / "configs");
  fs::create_directories(dir / "logs");
  SweepPlan plan;
  plan.fingerprint = sweep_fingerprint(spec, base);
  plan.status.resize(points.size());
  plan.resume.assign(points.size(), false);
  for (size_t i = 0; i < points.size(); ++i) {
    const std::string file = (dir / (points[i].name + ".h5")).string();
    const std::string ini = to_ini(points[i].config);
    if (!opt.overwrite && already_done(file, ini)) {
      plan.status[i] = to_string(RunStatus::kComplete);
      ++plan.skipped;
    } else {
      plan.status[i] = "pending";
      plan.to_run.push_back(i);
      plan.resume[i] = !opt.overwrite && resumable(file, ini);
      std::ofstream((dir / "configs" / (points[i].name + ".ini")).string()) << ini;
    }
  }
  write_manifest(opt.out_dir, plan.fingerprint, points, plan.status);
  return plan;
}

SweepOutcome run_sweep(const SweepSpec& spec, const Settings& base,
                       const std::vector<SweepPoint>& points, const SweepOptions& opt) {
  const fs::path dir(opt.out_dir);
  SweepPlan plan = plan_sweep(spec, base, points, opt);
  const std::string& fingerprint = plan.fingerprint;
  std::vector<std::string>& status = plan.status;
  const std::vector<size_t>& to_run = plan.to_run;
  const std::vector<bool>& resume = plan.resume;
  SweepOutcome outcome;
  outcome.skipped = plan.skipped;
  // A worker that died must not kill the sweep with SIGPIPE on the next write.
  signal(SIGPIPE, SIG_IGN);
  // Each worker's share of the cores, for actors.generators = auto (results
  // do not depend on it; oversubscribing only slows every point down).
  setenv("RAFTSIM_CORES",
         std::to_string(std::max(1, available_cores() / opt.jobs)).c_str(), 1);
  int started = 0;

  Progress progress("run", to_run.size(), opt.quiet);
  std::vector<Worker> workers;
  size_t next = 0, done = 0;
  bool forwarded = false;
  auto stopping = [&] { return opt.interrupt && opt.interrupt->load(); };
  // Records the end of point i with `code`.
  const auto finish = [&](size_t i, int code) {
    status[i] = point_status(code);
    const auto s = static_cast<ExitStatus>(code);
    (s == ExitStatus::kOk            ? outcome.complete
     : s == ExitStatus::kInterrupted ? outcome.interrupted
                                     : outcome.failed)++;
    write_manifest(opt.out_dir, fingerprint, points, status);
    progress.update(++done, std::to_string(outcome.failed) + " failed");
  };
  while (true) {
    // Hand out points: to an idle worker, or to a new one while fewer than
    // `jobs` are alive.
    while (!stopping() && next < to_run.size()) {
      auto idle = std::find_if(workers.begin(), workers.end(),
                               [](const Worker& w) { return !w.point; });
      if (idle == workers.end()) {
        if (workers.size() >= static_cast<size_t>(opt.jobs)) break;
        const std::string log =
            (dir / "logs" / ("worker-" + std::to_string(++started) + ".log")).string();
        workers.push_back(
            {start_piped_child(opt.raftsim, {"sweep-worker"}, log), {}, ""});
        idle = workers.end() - 1;
      }
      const size_t i = to_run[next++];
      const std::string& name = points[i].name;
      const std::string file = (dir / (name + ".h5")).string();
      // An interrupted, failed or killed point continues from its checkpoint.
      const std::vector<std::string> args =
          resume[i]
              ? std::vector<std::string>{"run", "--resume", file, "--quiet"}
              : std::vector<std::string>{"run",
                                         "--config",
                                         (dir / "configs" / (name + ".ini")).string(),
                                         "--out",
                                         file,
                                         "--quiet",
                                         "--overwrite"};
      idle->point = i;
      status[i] = "running";
      if (!send_point(*idle, (dir / "logs" / (name + ".log")).string(), args))
        idle->broken = true;  // dead already: its end-of-file comes next
    }
    std::vector<pollfd> fds;
    for (const auto& w : workers)
      if (w.point) fds.push_back({w.child.from_child.get(), POLLIN, 0});
    if (fds.empty()) break;
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno != EINTR) break;
      // Interrupted: the points in hand finish their iterations in flight
      // and stop too (a signal sent to the sweep alone does not reach them).
      if (stopping() && !forwarded) {
        for (const auto& w : workers) kill(w.child.pid, SIGINT);
        forwarded = true;
      }
      continue;
    }
    for (const auto& p : fds) {
      if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      auto w = std::find_if(workers.begin(), workers.end(), [&](const Worker& x) {
        return x.child.from_child.get() == p.fd;
      });
      const size_t i = *w->point;
      int code;
      if (read_answer(*w, code)) {
        w->point.reset();
        finish(i, code);
        continue;
      }
      if (!w->dead) continue;  // part of an answer
      // The worker died with the point in hand (a crash, a kill, the OOM
      // killer): the point failed, the others go on in a new worker.
      const ChildExit e = end_worker(*w);
      std::ofstream((dir / "logs" / (points[i].name + ".log")).string(), std::ios::app)
          << "raftsim sweep: the worker running this point ended with status " << e.code
          << "\n";
      workers.erase(w);
      finish(i, stopping()    ? to_int(ExitStatus::kInterrupted)
                : e.code == 0 ? to_int(ExitStatus::kFailure)
                              : e.code);
    }
  }
  for (auto& w : workers) end_worker(w);
  for (auto& s : status)
    if (s == "pending") s = "not run";
  write_manifest(opt.out_dir, fingerprint, points, status);
  progress.finish();
  return outcome;
}

}  // namespace raftsim
