// Helpers shared by the test modules: temporary directories, in-process runs
// of the engine, reading run files, and running the raftsim binary.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/h5_file.h"
#include "core/subprocess.h"
#include "experiment/run_config.h"
#include "run/engine.h"
#include "runfile/run_layout.h"

namespace raftsim::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/raftsim-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// `base` followed by `more` (later settings win).
inline Settings joined(Settings base, const Settings& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The reverse task (6 tokens over 8) from a warm-started small transformer,
// 256 prompts x K = 8 per iteration: where a learned reward model is
// over-optimised and where the trainers are compared.
inline Settings warm_reverse_settings() {
  return {{"seed", "1"},
          {"task.name", "sequence"},
          {"task.objective", "reverse"},
          {"task.vocab", "8"},
          {"task.prompt_length", "6"},
          {"task.response_length", "6"},
          {"policy.model", "transformer"},
          {"policy.d_model", "32"},
          {"policy.layers", "2"},
          {"policy.heads", "4"},
          {"policy.ff", "64"},
          {"policy.warmup_steps", "150"},
          {"policy.warmup_noise", "0.5"},
          {"sampler.prompts", "256"},
          {"sampler.k", "8"},
          {"sampler.chunk", "32"},
          {"trainer.learning_rate", "0.003"},
          {"log.checkpoint_every", "0"}};
}

// Runs the engine in this process and returns the outcome.
inline RunOutcome run(const Settings& settings, const std::string& out) {
  RunOptions opts;
  opts.out_path = out;
  opts.overwrite = true;
  opts.quiet = true;
  return run_experiment(make_run_config(settings), opts);
}

inline std::vector<double> metric(const std::string& path, const std::string& name) {
  return H5File::open_read(path).read("/metrics/" + name);
}

// The datasets that differ between the run files `a` and `b`, bit for bit
// or in length: every /metrics column of `a`, plus `more` (full paths).
// Empty when the runs agree.
inline std::vector<std::string> bitwise_differences(
    const std::string& a, const std::string& b, std::vector<std::string> more = {}) {
  const H5File fa = H5File::open_read(a), fb = H5File::open_read(b);
  for (const auto& name : fa.list("/metrics")) more.push_back("/metrics/" + name);
  std::vector<std::string> differ;
  for (const auto& path : more) {
    const auto x = fa.read(path), y = fb.read(path);
    if (x.size() != y.size() ||
        std::memcmp(x.data(), y.data(), x.size() * sizeof(double)))
      differ.push_back(path);
  }
  return differ;
}

inline std::string joined_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

struct ProcessResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline std::string raftsim_bin() {
  const char* bin = std::getenv("RAFTSIM_BIN");
  if (!bin)
    throw std::runtime_error("RAFTSIM_BIN is not set (run the tests through ctest)");
  return bin;
}

inline std::string source_dir() {
  const char* dir = std::getenv("RAFTSIM_SOURCE_DIR");
  if (!dir)
    throw std::runtime_error(
        "RAFTSIM_SOURCE_DIR is not set (run the tests through ctest)");
  return dir;
}

// Starts `raftsim args...` with stdout+stderr to `log`; returns its pid.
inline pid_t spawn_raftsim(const std::vector<std::string>& args,
                           const std::string& log) {
  return start_child(raftsim_bin(), args, log);
}

// The child's exit status, or 128 + the signal that ended it.
inline int wait_exit(pid_t pid) { return wait_child(pid).code; }

// Waits until child `pid` stops itself (faults.signal = STOP@...): true
// then; false if it ended instead (it is then reaped).
inline bool wait_stopped(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, WUNTRACED) < 0)
    if (errno != EINTR) return false;
  return WIFSTOPPED(status);
}

// A process's state letter from /proc/PID/stat ('T' stopped, 'Z' a
// zombie), or 0 when it is gone.
inline char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  return paren == std::string::npos || paren + 2 >= text.size() ? 0 : text[paren + 2];
}

// Every process below `pid` (children, their children...), from /proc.
inline std::vector<pid_t> descendants(pid_t pid) {
  std::vector<std::pair<pid_t, pid_t>> parent_of;  // (pid, ppid)
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream rest(text.substr(paren + 2));
    char state;
    pid_t ppid;
    if (rest >> state >> ppid) parent_of.emplace_back(std::stoi(name), ppid);
  }
  std::vector<pid_t> out = {pid};
  for (size_t i = 0; i < out.size(); ++i)
    for (const auto& [p, pp] : parent_of)
      if (pp == out[i]) out.push_back(p);
  out.erase(out.begin());
  return out;
}

// Waits (up to `limit`, a bound for a hung child, not a timing the test
// depends on) until a process below `pid` other than those in `known` has
// stopped itself; returns it, or 0.
inline pid_t wait_for_stopped_descendant(pid_t pid, std::chrono::seconds limit,
                                         const std::vector<pid_t>& known = {}) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    for (pid_t d : descendants(pid))
      if (process_state(d) == 'T' &&
          std::find(known.begin(), known.end(), d) == known.end())
        return d;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

// True once `path` opens as a run file (its header is on disk).
inline bool is_run(const std::string& path) {
  try {
    RunReader r(path);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

inline std::string read_text(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  std::string s;
  if (!f) return s;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

// Runs `raftsim args...` to completion.
inline ProcessResult run_raftsim(const std::vector<std::string>& args,
                                 const TempDir& dir) {
  const std::string log = dir.file("raftsim.log");
  ProcessResult r;
  r.exit_code = wait_exit(spawn_raftsim(args, log));
  r.output = read_text(log);
  return r;
}

// Runs `base` (which must checkpoint) for `total` iterations into
// DIR/NAME_long.h5, and for `first` into DIR/NAME_short.h5 extended to
// `total` by `raftsim run --resume`; returns what bitwise_differences finds
// between the two. Throws std::runtime_error naming the step that failed.
inline std::vector<std::string> resume_differences(const Settings& base, int first,
                                                   int total, const TempDir& dir,
                                                   const std::string& name,
                                                   std::vector<std::string> more = {}) {
  const std::string whole = dir.file(name + "_long.h5"),
                    part = dir.file(name + "_short.h5");
  if (run(joined(base, {{"iterations", std::to_string(total)}}), whole).status !=
          RunStatus::kComplete ||
      run(joined(base, {{"iterations", std::to_string(first)}}), part).status !=
          RunStatus::kComplete)
    throw std::runtime_error(name + ": a run to compare did not complete");
  const ProcessResult r = run_raftsim({"run", "--quiet", "--resume", part, "--set",
                                       "iterations=" + std::to_string(total)},
                                      dir);
  if (r.exit_code != 0)
    throw std::runtime_error(name + ": --resume exited " + std::to_string(r.exit_code) +
                             ": " + r.output);
  return bitwise_differences(whole, part, std::move(more));
}

}  // namespace raftsim::test
