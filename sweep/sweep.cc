#include "sweep/sweep.h"

#include <signal.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/exit_status.h"
#include "core/progress.h"
#include "core/subprocess.h"
#include "run/resume.h"
#include "run/run_layout.h"
#include "sweep/manifest.h"

namespace fs = std::filesystem;

namespace raftsim {

namespace {

// Whether `path` holds a complete run of exactly `ini`.
bool already_done(const std::string& path, const std::string& ini) {
  try {
    RunReader r(path);
    return r.status() == RunStatus::kComplete && r.config_ini() == ini;
  } catch (const std::exception&) {  // missing or unreadable: run it again
    return false;
  }
}

// Whether `path` holds an unfinished run of exactly `ini` that
// `raftsim run --resume` can continue.
bool resumable(const std::string& path, const std::string& ini) {
  try {
    return RunReader(path).config_ini() == ini && (resume_config(path, {}), true);
  } catch (const std::exception&) {
    return false;
  }
}

// A point's manifest status from its child's exit status.
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

}  // namespace

SweepOutcome run_sweep(const SweepSpec& spec, const Settings& base,
                       const std::vector<SweepPoint>& points, const SweepOptions& opt) {
  const fs::path dir(opt.out_dir);
  fs::create_directories(dir / "configs");
  fs::create_directories(dir / "logs");
  const std::string fingerprint = sweep_fingerprint(spec, base);
  SweepOutcome outcome;
  std::vector<std::string> status(points.size());
  std::vector<size_t> to_run;
  std::vector<bool> resume(points.size(), false);
  for (size_t i = 0; i < points.size(); ++i) {
    const std::string file = (dir / (points[i].name + ".h5")).string();
    const std::string ini = to_ini(points[i].config);
    if (!opt.overwrite && already_done(file, ini)) {
      status[i] = to_string(RunStatus::kComplete);
      ++outcome.skipped;
    } else {
      status[i] = "pending";
      to_run.push_back(i);
      resume[i] = !opt.overwrite && resumable(file, ini);
      std::ofstream((dir / "configs" / (points[i].name + ".ini")).string()) << ini;
    }
  }
  write_manifest(opt.out_dir, fingerprint, points, status);

  Progress progress("run", to_run.size(), opt.quiet);
  std::map<pid_t, size_t> running;
  size_t next = 0, done = 0;
  bool forwarded = false;
  auto stopping = [&] { return opt.interrupt && opt.interrupt->load(); };
  while (next < to_run.size() || !running.empty()) {
    while (!stopping() && next < to_run.size() &&
           running.size() < static_cast<size_t>(opt.jobs)) {
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
      const pid_t pid =
          start_child(opt.raftsim, args, (dir / "logs" / (name + ".log")).string());
      running[pid] = i;
      status[i] = "running";
    }
    if (running.empty()) break;
    ChildExit exit;
    const pid_t pid = wait_any_child(exit);
    if (pid < 0) {
      if (errno != EINTR) break;
      // Interrupted: the runs finish their iterations in flight and stop
      // too (a signal sent to the sweep alone does not reach them).
      if (stopping() && !forwarded) {
        for (const auto& [child, _] : running) kill(child, SIGINT);
        forwarded = true;
      }
      continue;
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second;
    running.erase(it);
    status[i] = point_status(exit.code);
    const auto s = static_cast<ExitStatus>(exit.code);
    (s == ExitStatus::kOk            ? outcome.complete
     : s == ExitStatus::kInterrupted ? outcome.interrupted
                                     : outcome.failed)++;
    write_manifest(opt.out_dir, fingerprint, points, status);
    progress.update(++done, std::to_string(outcome.failed) + " failed");
  }
  for (auto& s : status)
    if (s == "pending") s = "not run";
  write_manifest(opt.out_dir, fingerprint, points, status);
  progress.finish();
  return outcome;
}

}  // namespace raftsim
