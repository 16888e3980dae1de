#include "sweep/manifest.h"

#include <filesystem>
#include <map>

#include "core/h5_file.h"
#include "core/version.h"
#include "sweep/grid.h"

namespace fs = std::filesystem;

namespace raftsim {

namespace {
constexpr char kManifest[] = "sweep.h5";
constexpr char kSpecAttr[] = "sweep_spec";
}  // namespace

void write_manifest(const std::string& dir, const std::string& fingerprint,
                    const std::vector<SweepPoint>& points,
                    const std::vector<std::string>& status) {
  const fs::path tmp = fs::path(dir) / "sweep.h5.tmp";
  {
    H5File m = H5File::create(tmp.string(), /*overwrite=*/true);
    m.set_attribute(kSpecAttr, fingerprint);
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
    for (const auto& p : points)
      m.link_external("/runs/" + p.name, p.name + ".h5", "/");
    m.close();
  }
  fs::rename(tmp, fs::path(dir) / kManifest);
}

std::string read_fingerprint(const std::string& dir) {
  return H5File::open_read((fs::path(dir) / kManifest).string())
      .string_attribute(kSpecAttr);
}

void check_sweep_dir(const std::string& dir, const SweepSpec& spec,
                     const Settings& base, bool overwrite) {
  if (fs::exists(dir) && !fs::is_directory(dir))
    throw ConfigError("--out", dir, "a directory (it is a file)");
  if (!fs::exists(fs::path(dir) / kManifest) || overwrite) return;
  std::string old;
  try {
    old = read_fingerprint(dir);
  } catch (const IoError&) {
    throw ConfigError("--out", dir,
                      "a sweep directory with a readable sweep.h5 (or --overwrite)");
  }
  if (old == sweep_fingerprint(spec, base)) return;
  const auto there = parse_fingerprint(old);
  if (!there)
    throw ConfigError(
        "--out", dir,
        "the same base config and grid as the sweep already there (it was "
        "made by an older raftsim and cannot grow; pass --overwrite to "
        "redo it)");
  const auto conflicts = growth_conflicts(*there, spec, base);
  if (conflicts.empty()) return;  // more seeds, values or zip rows: it grows
  std::string list;
  for (const auto& c : conflicts) list += (list.empty() ? "" : "; ") + c;
  throw ConfigError("--out", dir,
                    "the base config of the sweep there and a grid that keeps all its "
                    "values (a sweep grows by new seeds, values and zip rows; pass "
                    "--overwrite to redo it): " +
                        list);
}

}  // namespace raftsim
