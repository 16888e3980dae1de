// raftsim reproduce: reruns a run file from its own resolved config and
// compares /metrics bit for bit (runfile/provenance.h names what differs in
// the file's origin when the bits do).
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/errors.h"
#include "core/h5_file.h"
#include "core/scratch_dir.h"
#include "core/version.h"
#include "runfile/provenance.h"
#include "runfile/run_layout.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace raftsim::cli {

namespace {

// The first iteration at which any /metrics column differs bitwise, with
// the columns that differ there; "" when all are identical.
std::string first_difference(const std::string& original, const std::string& rerun) {
  const H5File a = H5File::open_read(original), b = H5File::open_read(rerun);
  const auto names = a.list("/metrics");
  if (names != b.list("/metrics")) return "the /metrics columns differ";
  size_t first = SIZE_MAX;
  std::string where;
  for (const auto& name : names) {
    const auto x = a.read("/metrics/" + name), y = b.read("/metrics/" + name);
    const size_t n = std::min(x.size(), y.size());
    size_t i = 0;
    while (i < n && std::memcmp(&x[i], &y[i], sizeof(double)) == 0) ++i;
    if (i == n && x.size() == y.size()) continue;
    char line[160];
    if (i < n)
      std::snprintf(line, sizeof line,
                    "%s at iteration %zu (%.17g in the file, %.17g now)", name.c_str(),
                    i, x[i], y[i]);
    else
      std::snprintf(line, sizeof line, "%s: %zu rows in the file, %zu now",
                    name.c_str(), x.size(), y.size());
    if (i < first) {
      first = i;
      where = line;
    }
  }
  return where;
}

}  // namespace

int reproduce_command(const std::vector<std::string>& args) {
  std::string file, out;
  bool overwrite = false, quiet = false;
  po::options_description opts(
      "raftsim reproduce: rerun a run file from its own resolved config and compare "
      "/metrics\nbit for bit. Exit 0 \"identical\"; 1 with the first column and "
      "iteration that differ\nand what differs in the file's provenance (version, "
      "source, compute identity,\nlibraries, image) that could explain it. The rerun "
      "has as many iterations as the\nfile has rows, runs here with the file's actor "
      "counts (which never change bits)\nand without its faults.*.\n\n"
      "Usage: raftsim reproduce FILE.h5 [--out NEW.h5 [--overwrite]] [--quiet]\n\n"
      "Options");
  opts.add_options()("help,h", "show this help")(
      "out,o", po::value(&out),
      "keep the rerun in this file (default: a temporary file, removed)")(
      "overwrite", po::bool_switch(&overwrite), "replace an existing --out file")(
      "quiet,q", po::bool_switch(&quiet), "no progress line")(
      "file", po::value(&file), "the run file to reproduce");
  po::positional_options_description pos;
  pos.add("file", 1);
  if (const auto status = parse_args("reproduce", opts, args, "", &pos))
    return to_int(*status);

  std::string ini;
  size_t rows = 0;
  Provenance then;
  std::string version;
  try {
    if (file.empty())
      throw ConfigError("FILE.h5", "", "a raftsim run file to reproduce");
    if (!fs::is_regular_file(file))
      throw ConfigError("FILE.h5", file, "an existing run file");
    read_run_file("FILE.h5", file, [&] {
      const RunReader run(file);
      ini = run.config_ini();
      rows = run.rows();
      version = run.raftsim_version();
      then = read_provenance(H5File::open_read(file));
    });
    if (rows == 0)
      throw ConfigError("FILE.h5", file, "a run file with at least one row");
    if (!out.empty() && fs::exists(out) && fs::equivalent(out, file))
      throw ConfigError("--out", out, "another file than the one reproduced");
  } catch (const std::exception& e) {
    std::cerr << "raftsim reproduce: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }

  std::optional<ScratchDir> scratch;
  try {
    scratch.emplace("raftsim-reproduce");
  } catch (const std::exception& e) {
    std::cerr << "raftsim reproduce: " << e.what() << "\n";
    return to_int(ExitStatus::kFailure);
  }
  const std::string config = scratch->file("config.ini");
  std::ofstream(config) << ini;
  const std::string rerun = out.empty() ? scratch->file("rerun.h5") : out;
  std::vector<std::string> run_args = {"--config", config,
                                       "--set",    "iterations=" + std::to_string(rows),
                                       "--set",    "faults.signal=",
                                       "--set",    "faults.generator_crash=",
                                       "--out",    rerun};
  if (overwrite) run_args.push_back("--overwrite");
  if (quiet) run_args.push_back("--quiet");
  const int status = run_command(run_args);
  if (status == to_int(ExitStatus::kBadInput) ||
      status == to_int(ExitStatus::kInterrupted))
    return status;

  Provenance now;
  std::string difference;
  try {
    difference = first_difference(file, rerun);
    now = read_provenance(H5File::open_read(rerun));
  } catch (const std::exception& e) {
    std::cerr << "raftsim reproduce: cannot compare: " << one_line(e) << "\n";
    return to_int(ExitStatus::kFailure);
  }
  if (difference.empty()) {
    std::cout << "identical: " << rows << " rows of /metrics, bit for bit\n";
    return to_int(ExitStatus::kOk);
  }
  std::cout << "differs: " << difference << "\n";
  auto causes = provenance_differences(then, now);
  if (version != std::string(kVersion))
    causes.insert(causes.begin(), "raftsim_version: '" + version + "' -> '" +
                                      std::string(kVersion) + "'");
  if (causes.empty())
    std::cout << "provenance: the same source, compute identity, libraries and image "
                 "(a defect: please report it)\n";
  for (const auto& c : causes) std::cout << "provenance differs: " << c << "\n";
  return to_int(ExitStatus::kFailure);
}

}  // namespace raftsim::cli
