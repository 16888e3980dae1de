#include "experiments/sweep.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/progress.h"
#include "core/run_file.h"
#include "core/version.h"

namespace fs = std::filesystem;

namespace raftsim {

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

// A value as it may stand in a file name.
std::string file_safe(const std::string& v) {
  std::string out;
  for (char c : v) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                           c == '+' || c == '=' || c == '_')
                              ? c
                              : '-';
  return out;
}

std::string status_of(const std::string& path) {
  try {
    return RunFile::open_read(path).string_attribute("status");
  } catch (const std::exception&) {
    return "missing";
  }
}

std::string config_of(const std::string& path) {
  try {
    return RunFile::open_read(path).string_attribute("config");
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace

GridAxis parse_axis(const std::vector<std::string>& items) {
  GridAxis axis;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      throw ConfigError("--grid", item, "KEY=V1,V2,... with at least one value");
    const std::string key = item.substr(0, eq);
    if (!run_config_schema().find(key))
      throw ConfigError(key, item.substr(eq + 1), "a known key ('raftsim run --help' lists them)");
    for (const auto& k : axis.keys)
      if (k == key) throw ConfigError("--grid", item, "a key not already in the grid");
    const auto values = split(item.substr(eq + 1), ',');
    if (!axis.keys.empty() && values.size() != axis.levels.size())
      throw ConfigError("--zip", item,
                        "as many values as the other zipped keys (" +
                            std::to_string(axis.levels.size()) + ")");
    if (axis.keys.empty()) axis.levels.resize(values.size());
    for (size_t i = 0; i < values.size(); ++i) axis.levels[i].push_back(values[i]);
    axis.keys.push_back(key);
  }
  return axis;
}

GridAxis seed_axis(uint64_t first, int n) {
  GridAxis axis;
  axis.keys = {"seed"};
  for (int i = 0; i < n; ++i) axis.levels.push_back({std::to_string(first + i)});
  return axis;
}

std::vector<SweepPoint> expand(const SweepSpec& spec, const Settings& base) {
  for (size_t a = 0; a < spec.axes.size(); ++a)
    for (size_t b = 0; b < a; ++b)
      for (const auto& ka : spec.axes[a].keys)
        for (const auto& kb : spec.axes[b].keys)
          if (ka == kb) throw ConfigError("--grid", ka, "each key in one --grid or --zip only");
  std::vector<SweepPoint> points;
  std::vector<size_t> index(spec.axes.size(), 0);
  for (;;) {
    SweepPoint p;
    std::string name;
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      const GridAxis& axis = spec.axes[a];
      for (size_t k = 0; k < axis.keys.size(); ++k) {
        const std::string& value = axis.levels[index[a]][k];
        p.overrides.emplace_back(axis.keys[k], value);
        name += (name.empty() ? "" : "_") + axis.keys[k] + "=" + value;
      }
    }
    p.name = name.empty() ? "run" : file_safe(name);
    Settings all = base;
    all.insert(all.end(), p.overrides.begin(), p.overrides.end());
    p.config = make_run_config(all);
    points.push_back(std::move(p));
    // Next index, last axis fastest.
    size_t a = spec.axes.size();
    while (a > 0) {
      --a;
      if (++index[a] < spec.axes[a].levels.size()) break;
      index[a] = 0;
      if (a == 0) return points;
    }
    if (spec.axes.empty()) return points;
  }
}

std::string sweep_fingerprint(const SweepSpec& spec, const Settings& base) {
  std::string text = to_ini(make_run_config(base)) + "\n# grid\n";
  for (const auto& axis : spec.axes) {
    for (size_t k = 0; k < axis.keys.size(); ++k) {
      text += (k ? " | " : "") + axis.keys[k] + " =";
      for (const auto& level : axis.levels) text += " " + level[k];
    }
    text += "\n";
  }
  return text;
}

void check_sweep_dir(const std::string& dir, const std::string& fingerprint, bool overwrite) {
  const fs::path manifest = fs::path(dir) / "sweep.h5";
  if (fs::exists(dir) && !fs::is_directory(dir))
    throw ConfigError("--out", dir, "a directory (it is a file)");
  if (!fs::exists(manifest) || overwrite) return;
  std::string old;
  try {
    old = RunFile::open_read(manifest.string()).string_attribute("sweep_spec");
  } catch (const std::exception&) {
    throw ConfigError("--out", dir, "a sweep directory with a readable sweep.h5 (or --overwrite)");
  }
  if (old != fingerprint)
    throw ConfigError("--out", dir,
                      "the same base config and grid as the sweep already there "
                      "(they differ; pass --overwrite to redo it with the new ones)");
}

namespace {

void write_manifest(const fs::path& dir, const std::string& fingerprint,
                    const std::vector<SweepPoint>& points, const std::vector<std::string>& status) {
  const fs::path tmp = dir / "sweep.h5.tmp";
  {
    RunFile m = RunFile::create(tmp.string(), /*overwrite=*/true);
    m.set_attribute("sweep_spec", fingerprint);
    m.set_attribute("raftsim_version", std::string(kVersion));
    std::vector<std::string> names, files;
    std::map<std::string, std::vector<std::string>> params;
    for (const auto& p : points) {
      names.push_back(p.name);
      files.push_back(p.name + ".h5");
      for (const auto& [k, v] : p.overrides) params[k].push_back(v);
    }
    m.write_strings("/table/name", names);
    m.write_strings("/table/file", files);
    m.write_strings("/table/status", status);
    for (const auto& [k, values] : params) m.write_strings("/table/" + k, values);
    for (const auto& p : points) m.link_external("/runs/" + p.name, p.name + ".h5", "/");
  }
  fs::rename(tmp, dir / "sweep.h5");
}

pid_t start_run(const std::string& exe, const std::string& ini, const std::string& out,
                const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (FILE* f = std::fopen(log.c_str(), "w")) {
      dup2(fileno(f), STDOUT_FILENO);
      dup2(fileno(f), STDERR_FILENO);
    }
    const char* argv[] = {exe.c_str(), "run",      "--config",  ini.c_str(), "--out",
                          out.c_str(), "--quiet", "--overwrite", nullptr};
    execv(exe.c_str(), const_cast<char* const*>(argv));
    _exit(127);
  }
  return pid;
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
  for (size_t i = 0; i < points.size(); ++i) {
    const std::string file = (dir / (points[i].name + ".h5")).string();
    const std::string ini = to_ini(points[i].config);
    status[i] = status_of(file);
    if (status[i] == "complete" && config_of(file) == ini && !opt.overwrite) {
      ++outcome.skipped;
    } else {
      status[i] = "pending";
      to_run.push_back(i);
      std::ofstream((dir / "configs" / (points[i].name + ".ini")).string()) << ini;
    }
  }
  write_manifest(dir, fingerprint, points, status);

  Progress progress("run", to_run.size(), opt.quiet);
  std::map<pid_t, size_t> running;
  size_t next = 0, done = 0;
  auto stopping = [&] { return opt.interrupt && opt.interrupt->load(); };
  while (next < to_run.size() || !running.empty()) {
    while (!stopping() && next < to_run.size() && running.size() < static_cast<size_t>(opt.jobs)) {
      const size_t i = to_run[next++];
      const std::string& name = points[i].name;
      running[start_run(opt.raftsim, (dir / "configs" / (name + ".ini")).string(),
                        (dir / (name + ".h5")).string(), (dir / "logs" / (name + ".log")).string())] = i;
      status[i] = "running";
    }
    if (running.empty()) break;
    int wstatus = 0;
    const pid_t pid = waitpid(-1, &wstatus, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second;
    running.erase(it);
    const int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    status[i] = code == 0 ? "complete" : code == 130 ? "interrupted" : "failed";
    (code == 0 ? outcome.complete : code == 130 ? outcome.interrupted : outcome.failed)++;
    write_manifest(dir, fingerprint, points, status);
    progress.update(++done, std::to_string(outcome.failed) + " failed");
  }
  for (auto& s : status)
    if (s == "pending") s = "not run";
  write_manifest(dir, fingerprint, points, status);
  progress.finish();
  return outcome;
}

}  // namespace raftsim
