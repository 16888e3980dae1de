#include "runfile/provenance.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>

#include "core/source_identity.h"
#include "models/policies/compute_identity.h"

namespace raftsim {

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// /proc/self/cmdline: arguments separated by NUL.
std::string command_line() {
  std::string text = read_all("/proc/self/cmdline");
  while (!text.empty() && text.back() == '\0') text.pop_back();
  for (char& c : text)
    if (c == '\0') c = ' ';
  return text;
}

// The installed versions of the packages whose code computes a run's
// numbers or writes its file, from dpkg's database (no process spawned).
std::string installed_libraries() {
  static const char* kPrefixes[] = {"libtorch", "libopenblas", "libdnnl",
                                    "libsleef", "libhdf5-1",   "libhdf5-cpp",
                                    "libcaf-",  "libgomp1",    "libc6"};
  std::ifstream in("/var/lib/dpkg/status");
  std::set<std::string> found;
  std::string line, package, version;
  bool installed = false;
  const auto flush = [&] {
    if (installed && !package.empty() && !version.empty())
      for (const char* p : kPrefixes)
        if (package.rfind(p, 0) == 0 && package.find("-dev") == std::string::npos &&
            package.find("-doc") == std::string::npos &&
            package.find("-dbg") == std::string::npos &&
            package.find("-i386") == std::string::npos)
          found.insert(package + " " + version);
    package.clear();
    version.clear();
    installed = false;
  };
  while (std::getline(in, line)) {
    if (line.empty())
      flush();
    else if (line.rfind("Package: ", 0) == 0)
      package = line.substr(9);
    else if (line.rfind("Version: ", 0) == 0)
      version = line.substr(9);
    else if (line.rfind("Status: ", 0) == 0)
      installed = line.find(" installed") != std::string::npos;
  }
  flush();
  std::string out;
  for (const auto& f : found) out += (out.empty() ? "" : "; ") + f;
  return out.empty() ? "unknown" : out;
}

std::string slurm_job() {
  const auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  const std::string job = env("SLURM_JOB_ID");
  if (job.empty()) return "";
  std::string s = "job " + job;
  if (!env("SLURM_ARRAY_JOB_ID").empty())
    s += " array " + env("SLURM_ARRAY_JOB_ID") + " task " + env("SLURM_ARRAY_TASK_ID");
  return s;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Provenance current_provenance() {
  Provenance p;
  p.source_commit = kSourceCommit;
  p.source_dirty = kSourceDirty;
  p.command_line = command_line();
  p.compute_identity = compute_identity();
  p.libraries = installed_libraries();
  p.image = trimmed(read_all("/etc/raftsim/image"));
  p.slurm = slurm_job();
  return p;
}

namespace {

// Every field with its attribute name, in the order written and compared.
constexpr std::pair<const char*, std::string Provenance::*> kFields[] = {
    {"source_commit", &Provenance::source_commit},
    {"source_dirty", &Provenance::source_dirty},
    {"command_line", &Provenance::command_line},
    {"compute_identity", &Provenance::compute_identity},
    {"libraries", &Provenance::libraries},
    {"image", &Provenance::image},
    {"slurm", &Provenance::slurm}};

}  // namespace

std::vector<std::pair<std::string, std::string>> provenance_fields(
    const Provenance& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, field] : kFields) out.emplace_back(name, p.*field);
  return out;
}

void write_provenance(H5File& file, const Provenance& p) {
  for (const auto& [name, field] : kFields) file.set_attribute(name, p.*field);
}

Provenance read_provenance(const H5File& file) {
  Provenance p;
  for (const auto& [name, field] : kFields)
    if (file.has_attribute(name)) p.*field = file.string_attribute(name);
  return p;
}

std::vector<std::string> provenance_differences(const Provenance& a,
                                                const Provenance& b) {
  std::vector<std::string> out;
  const auto fa = provenance_fields(a), fb = provenance_fields(b);
  for (size_t i = 0; i < fa.size(); ++i) {
    const std::string& name = fa[i].first;
    if (name == "source_dirty" || name == "command_line" || name == "slurm") continue;
    if (fa[i].second != fb[i].second)
      out.push_back(name + ": '" + fa[i].second + "' -> '" + fb[i].second + "'");
  }
  return out;
}

}  // namespace raftsim
