#include "sweep/merge.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/errors.h"
#include "core/h5_file.h"
#include "runfile/run_layout.h"
#include "sweep/grid.h"
#include "sweep/manifest.h"

namespace fs = std::filesystem;

namespace raftsim {

namespace {

StoredSweep stored(const std::string& dir) {
  if (!fs::is_regular_file(fs::path(dir) / "sweep.h5"))
    throw ConfigError("--merge", dir, "a sweep directory (it has no sweep.h5)");
  std::optional<StoredSweep> s;
  try {
    s = parse_fingerprint(read_fingerprint(dir));
  } catch (const IoError& e) {
    throw ConfigError("--merge", dir,
                      std::string("a readable sweep (") + e.what() + ")");
  }
  if (!s)
    throw ConfigError(
        "--merge", dir,
        "a sweep made by this raftsim (rerun it to rewrite its manifest)");
  return *s;
}

// A point's status in the merged manifest, from its file.
std::string status_of(const fs::path& file) {
  try {
    return to_string(RunReader(file.string()).status());
  } catch (const std::exception&) {
    return "failed";
  }
}

void place(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (ec) fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

}  // namespace

MergeOutcome merge_sweeps(const std::string& a, const std::string& b,
                          const std::string& out) {
  const StoredSweep sa = stored(a), sb = stored(b);
  std::vector<std::string> differ = base_differences(sa.base, sb.base, "in A", "in B");
  SweepSpec joined;
  joined.axes = sa.axes;
  const auto keys = [](const StoredSweep& s) {
    std::vector<std::vector<std::string>> k;
    for (const auto& axis : s.axes) {
      k.push_back(axis.keys);
      k.back().push_back("named " + axis.index_name);
    }
    return k;
  };
  if (keys(sa) != keys(sb)) differ.push_back("the grid's axes differ");
  if (!differ.empty()) {
    std::string list;
    for (const auto& d : differ) list += (list.empty() ? "" : "; ") + d;
    throw ConfigError("--merge", a + " " + b,
                      "two sweeps of the same base config and axes: " + list);
  }
  for (size_t i = 0; i < joined.axes.size(); ++i) {
    if (!joined.axes[i].index_name.empty()) {
      // Drawn points are named by index: one sweep's draws must begin the
      // other's (the same --space and --sample-seed), and the longer wins.
      const auto& la = sa.axes[i].levels;
      const auto& lb = sb.axes[i].levels;
      const auto& shorter = la.size() <= lb.size() ? la : lb;
      const auto& longer = la.size() <= lb.size() ? lb : la;
      if (!std::equal(shorter.begin(), shorter.end(), longer.begin()))
        throw ConfigError("--merge", a + " " + b,
                          "two random searches of the same draws (the same --space "
                          "and --sample-seed, any --sample): their " +
                              joined.axes[i].index_name + " points differ");
      joined.axes[i].levels = longer;
      continue;
    }
    for (const auto& level : sb.axes[i].levels)
      if (std::find(joined.axes[i].levels.begin(), joined.axes[i].levels.end(),
                    level) == joined.axes[i].levels.end())
        joined.axes[i].levels.push_back(level);
  }
  if (fs::exists(out) && !fs::is_empty(out))
    throw ConfigError("--out", out, "a new or empty directory for the joined sweep");

  Settings base(sa.base.begin(), sa.base.end());
  const std::vector<SweepPoint> points = expand(joined, base);
  fs::create_directories(fs::path(out) / "logs");
  MergeOutcome outcome;
  outcome.points = points.size();
  std::vector<std::string> status;
  for (const auto& p : points) {
    const std::string file = p.name + ".h5", log = "logs/" + p.name + ".log";
    const fs::path in_a = fs::path(a) / file, in_b = fs::path(b) / file;
    const bool has_a = fs::exists(in_a), has_b = fs::exists(in_b);
    outcome.both += has_a && has_b;
    fs::path from;
    std::string from_dir;
    if (has_a &&
        (!has_b || status_of(in_a) == "complete" || status_of(in_b) != "complete")) {
      from = in_a;
      from_dir = a;
    } else if (has_b) {
      from = in_b;
      from_dir = b;
    }
    if (from.empty()) {
      status.push_back("not run");
      ++outcome.not_run;
      continue;
    }
    place(from, fs::path(out) / file);
    if (fs::exists(fs::path(from_dir) / log))
      place(fs::path(from_dir) / log, fs::path(out) / log);
    status.push_back(status_of(fs::path(out) / file));
    ++outcome.linked;
  }
  write_manifest(out, sweep_fingerprint(joined, base), points, status);
  return outcome;
}

}  // namespace raftsim
