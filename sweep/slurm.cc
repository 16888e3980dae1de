#include "sweep/slurm.h"

#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "core/progress.h"
#include "core/subprocess.h"
#include "runfile/run_layout.h"
#include "sweep/manifest.h"

namespace fs = std::filesystem;

namespace raftsim {

namespace {

constexpr int kDefaultMaxArraySize = 1001;  // Slurm's default MaxArraySize
constexpr int kSqueueRetries = 30;  // a controller away for ~30 polls fails the sweep

std::string program(const std::string& name) {
  const std::string path = find_program(name);
  if (path.empty())
    throw std::runtime_error(
        name +
        " not found on PATH: the Slurm executor needs Slurm's "
        "client (scripts/setup/install-deps.sh installs it; "
        "scripts/fixtures/slurm-local.sh starts a one-machine Slurm)");
  return path;
}

// A job name of this sweep directory alone, so squeue can follow its tasks.
std::string job_name(const fs::path& dir) {
  std::ostringstream name;
  name << "raftsim-" << std::hex
       << (std::hash<std::string>{}(dir.string()) & 0xffffffff);
  return name.str();
}

// MaxArraySize from `scontrol show config`, or Slurm's default.
int max_array_size() {
  const std::string scontrol = find_program("scontrol");
  if (scontrol.empty()) return kDefaultMaxArraySize;
  const CommandResult r = run_command(scontrol, {"show", "config"});
  // A line "MaxArraySize            = 1001".
  const size_t key = r.output.find("MaxArraySize");
  if (r.code != 0 || key == std::string::npos) return kDefaultMaxArraySize;
  const size_t digits = r.output.find_first_of("0123456789", key);
  const size_t eol = r.output.find('\n', key);
  if (digits == std::string::npos || digits > eol) return kDefaultMaxArraySize;
  // Slurm allows 0 (arrays off) to 4000001; anything else is not a size.
  const long value = std::strtol(r.output.c_str() + digits, nullptr, 10);
  if (value < 1 || value > 4000001) return kDefaultMaxArraySize;
  return static_cast<int>(value);
}

// The job IDs of this sweep directory's tasks still in Slurm's queue.
std::vector<std::string> queued_jobs(const std::string& squeue, const fs::path& dir) {
  const CommandResult q = run_command(squeue, {"-h", "-n", job_name(dir), "-o", "%i"});
  if (q.code != 0)
    throw std::runtime_error("squeue failed (exit " + std::to_string(q.code) +
                             "): is slurmctld running?");
  std::vector<std::string> jobs;
  std::istringstream lines(q.output);
  for (std::string id; lines >> id;) jobs.push_back(id);
  return jobs;
}

// A directory of its own for each submission's scripts and task lists, so
// that no file a queued task may still read is ever rewritten.
fs::path new_submission(const fs::path& dir) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", std::gmtime(&now));
  const fs::path sub =
      dir / "slurm" /
      ("submission-" + std::string(stamp) + "-" + std::to_string(getpid()));
  fs::create_directories(sub.parent_path());
  if (!fs::create_directory(sub))
    throw std::runtime_error(sub.string() + " exists already");
  return sub;
}

// `s` as one single-quoted shell word.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Array {
  fs::path script;
  std::vector<size_t> points;  // the points of tasks 0, 1, ...
  std::string job;             // its job id once submitted
};

// Writes array j's task list and job script into `submission`.
Array write_array(const fs::path& dir, const fs::path& submission, int j,
                  const std::vector<size_t>& points, const std::vector<SweepPoint>& all,
                  const std::vector<bool>& resume, const SlurmOptions& slurm,
                  const std::string& raftsim) {
  Array a;
  a.points = points;
  const fs::path tasks = submission / ("array-" + std::to_string(j) + ".tasks");
  a.script = submission / ("array-" + std::to_string(j) + ".sh");
  std::ofstream list(tasks);
  for (size_t i : points)
    list << all[i].name << '\t' << (resume[i] ? "resume" : "run") << '\n';
  list.close();
  std::ofstream s(a.script);
  s << "#!/bin/bash\n"
    << "# raftsim sweep, Slurm array " << j
    << ": task i runs the point on line i + 1 of\n"
    << "# " << quoted(tasks.string()) << " as the local executor would.\n"
    << "#SBATCH --job-name=" << job_name(dir) << "\n"
    << "#SBATCH --array=0-" << points.size() - 1
    << (slurm.throttle > 0 ? "%" + std::to_string(slurm.throttle) : "") << "\n"
    << "#SBATCH --output=" << (dir / "logs" / "slurm-%A_%a.log").string() << "\n"
    << "set -uo pipefail\n"
    << "line=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" " << quoted(tasks.string())
    << ")\n"
    << "name=${line%%$'\\t'*}\n"
    << "mode=${line#*$'\\t'}\n"
    << "cd " << quoted(dir.string()) << " || exit 1\n"
    << "export RAFTSIM_CORES=${SLURM_CPUS_PER_TASK:-1}\n"
    << "if [[ $mode == resume ]]; then\n"
    << "  exec " << quoted(raftsim)
    << " run --resume \"$name.h5\" --quiet >>\"logs/$name.log\" 2>&1\n"
    << "fi\n"
    << "exec " << quoted(raftsim)
    << " run --config \"configs/$name.ini\" --out \"$name.h5\" --quiet --overwrite "
       ">\"logs/$name.log\" 2>&1\n";
  s.close();
  fs::permissions(a.script, fs::perms::owner_exec, fs::perm_options::add);
  return a;
}

// Sleeps `seconds`, waking early once `stop` returns true.
void nap(double seconds, const std::function<bool()>& stop) {
  for (double slept = 0; slept < seconds && !stop(); slept += 0.1) {
    const timespec t{0, 100'000'000};
    nanosleep(&t, nullptr);
  }
}

}  // namespace

void check_script_path(const std::string& key, const std::string& path) {
  for (unsigned char c : path)
    if (c < 0x20 || c == 0x7f) {
      char code[8];
      std::snprintf(code, sizeof code, "0x%02x", c);
      std::string shown;
      for (unsigned char d : path) shown += d < 0x20 || d == 0x7f ? '?' : char(d);
      throw ConfigError(key, shown,
                        std::string("a path without control characters (it holds ") +
                            code + "; job scripts are written with it)");
    }
}

SweepOutcome run_sweep_on_slurm(const SweepSpec& spec, const Settings& base,
                                const std::vector<SweepPoint>& points,
                                const SweepOptions& opt, const SlurmOptions& slurm) {
  const fs::path dir = fs::absolute(opt.out_dir);
  check_script_path("--out", dir.string());
  check_script_path("raftsim's own path", opt.raftsim);
  const std::string sbatch = slurm.emit_only ? "" : program("sbatch");
  const std::string squeue = slurm.emit_only ? "" : program("squeue");
  // A rerun while an earlier submission's tasks are queued would run their
  // points twice at once: refused before anything is written.
  if (!slurm.emit_only) {
    const auto queued = queued_jobs(squeue, dir);
    if (!queued.empty()) {
      std::string ids;
      for (const auto& id : queued) ids += (ids.empty() ? "" : ", ") + id;
      throw ConfigError("--out", opt.out_dir,
                        "a sweep with none of its tasks still in Slurm's queue (" +
                            ids +
                            " of an earlier submission are: wait for them, or scancel "
                            "them)");
    }
  }
  SweepPlan plan = plan_sweep(spec, base, points, opt);
  SweepOutcome outcome;
  outcome.skipped = plan.skipped;
  if (plan.to_run.empty()) return outcome;

  const fs::path submission = new_submission(dir);
  const int size = slurm.max_array_size > 0 ? slurm.max_array_size : max_array_size();
  std::vector<Array> arrays;
  for (size_t first = 0; first < plan.to_run.size(); first += size) {
    const size_t last = std::min(plan.to_run.size(), first + static_cast<size_t>(size));
    arrays.push_back(write_array(dir, submission, static_cast<int>(arrays.size()),
                                 {plan.to_run.begin() + static_cast<long>(first),
                                  plan.to_run.begin() + static_cast<long>(last)},
                                 points, plan.resume, slurm, opt.raftsim));
  }
  std::vector<std::string> submit;
  for (const auto& a : arrays) {
    std::string line = "sbatch";
    for (const auto& arg : slurm.sbatch_args) line += " " + quoted(arg);
    submit.push_back(line + " " + quoted(a.script.string()));
  }
  if (slurm.emit_only) {
    std::ofstream script(submission / "submit.sh");
    script << "#!/bin/bash\nset -e\n";
    for (const auto& line : submit) script << line << "\n";
    for (const auto& line : submit) std::cout << line << "\n";
    std::cout << "# then run the same `raftsim sweep` command again to fill sweep.h5\n";
    for (size_t i : plan.to_run) plan.status[i] = "submitted by hand";
    write_manifest(opt.out_dir, plan.fingerprint, points, plan.status);
    return outcome;
  }

  const auto stopping = [&] { return opt.interrupt && opt.interrupt->load(); };
  // A task has started once its point's log was written after this.
  const auto submitted_at = fs::file_time_type::clock::now();
  for (auto& a : arrays) {
    std::vector<std::string> args = {"--parsable"};
    args.insert(args.end(), slurm.sbatch_args.begin(), slurm.sbatch_args.end());
    args.push_back(a.script.string());
    const CommandResult r = run_command(sbatch, args);
    a.job = r.output.substr(0, r.output.find_first_of(";\n"));
    if (r.code != 0 || a.job.empty()) {
      // What was submitted stays so; the rest is recorded as not run.
      for (size_t i : plan.to_run)
        if (plan.status[i] != "submitted") plan.status[i] = "not run";
      write_manifest(opt.out_dir, plan.fingerprint, points, plan.status);
      throw std::runtime_error("sbatch " + a.script.string() + " failed (exit " +
                               std::to_string(r.code) + ")");
    }
    for (size_t i : a.points) plan.status[i] = "submitted";
  }
  write_manifest(opt.out_dir, plan.fingerprint, points, plan.status);

  Progress progress("run", plan.to_run.size(), opt.quiet);
  size_t done = 0;
  bool cancelled = false;
  int squeue_failures = 0;
  const auto record = [&](size_t i, const std::string& status) {
    plan.status[i] = status;
    if (status == "not run") return;
    (status == to_string(RunStatus::kComplete)      ? outcome.complete
     : status == to_string(RunStatus::kInterrupted) ? outcome.interrupted
                                                    : outcome.failed)++;
    progress.update(++done, std::to_string(outcome.failed) + " failed");
  };
  const auto started = [&](size_t i) {
    std::error_code ec;
    const auto log = dir / "logs" / (points[i].name + ".log");
    return fs::exists(log, ec) && fs::last_write_time(log, ec) >= submitted_at;
  };
  while (true) {
    if (stopping() && !cancelled) {
      std::vector<std::string> jobs;
      for (const auto& a : arrays) jobs.push_back(a.job);
      run_command(program("scancel"), jobs);
      cancelled = true;
    }
    const CommandResult q =
        run_command(squeue, {"-h", "-n", job_name(dir), "-o", "%i"});
    if (q.code != 0 && ++squeue_failures > kSqueueRetries) {
      // The sweep gives up following its tasks: sweep.h5 must not say they
      // are still submitted. A rerun collects what finished.
      for (size_t i : plan.to_run)
        if (plan.status[i] == "submitted") plan.status[i] = "unknown";
      write_manifest(opt.out_dir, plan.fingerprint, points, plan.status);
      throw std::runtime_error("squeue keeps failing (exit " + std::to_string(q.code) +
                               "): is slurmctld running? sweep.h5 marks the points "
                               "it lost track of 'unknown'; rerun the sweep to "
                               "collect them");
    }
    if (q.code == 0) squeue_failures = 0;
    const bool finished =
        q.code == 0 && q.output.find_first_not_of(" \n") == std::string::npos;
    // Points whose run file is complete are done, whatever squeue says.
    bool changed = false;
    for (size_t i : plan.to_run) {
      if (plan.status[i] != "submitted") continue;
      if (already_done((dir / (points[i].name + ".h5")).string(),
                       to_ini(points[i].config))) {
        record(i, to_string(RunStatus::kComplete));
        changed = true;
      }
    }
    if (finished) break;
    if (changed) write_manifest(opt.out_dir, plan.fingerprint, points, plan.status);
    nap(slurm.poll_seconds, [&] { return stopping() && !cancelled; });
  }
  for (const auto& a : arrays)
    for (size_t t = 0; t < a.points.size(); ++t) {
      const size_t i = a.points[t];
      if (plan.status[i] != "submitted") continue;
      if (cancelled && !started(i)) {  // cancelled before its task began
        record(i, "not run");
        continue;
      }
      std::ofstream((dir / "logs" / (points[i].name + ".log")).string(), std::ios::app)
          << "raftsim sweep: Slurm task " << a.job << "_" << t
          << " ended without a complete run (Slurm's own output: logs/slurm-" << a.job
          << "_" << t << ".log)\n";
      record(i, cancelled ? to_string(RunStatus::kInterrupted)
                          : to_string(RunStatus::kFailed));
    }
  write_manifest(opt.out_dir, plan.fingerprint, points, plan.status);
  progress.finish();
  return outcome;
}

}  // namespace raftsim
