// raftsim sweep: a grid of runs over a base config (experiments/sweep.h).
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
#include <thread>

#include "api/settings_input.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/signals.h"
#include "core/config.h"
#include "core/errors.h"
#include "core/file_lock.h"
#include "core/subprocess.h"
#include "sweep/manifest.h"
#include "sweep/merge.h"
#include "sweep/random_search.h"
#include "sweep/slurm.h"
#include "sweep/sweep.h"

namespace po = boost::program_options;

namespace raftsim::cli {

namespace {

// raftsim sweep --merge A B --out C (sweep/merge.h).
int merge_command(const std::vector<std::string>& merge, const std::string& out,
                  const std::string& config_path, const std::vector<std::string>& sets,
                  const std::vector<std::string>& grids,
                  const std::vector<std::string>& zips) {
  std::vector<FileLock> locks;
  try {
    if (merge.size() != 2)
      throw ConfigError("--merge", join(merge, " "), "two sweep directories, A B");
    if (out.empty()) throw ConfigError("--out", "", "a directory for the joined sweep");
    if (!config_path.empty() || !sets.empty() || !grids.empty() || !zips.empty())
      throw ConfigError("--merge", join(merge, " "),
                        "given without --config, --set, --grid and --zip (the sweeps "
                        "hold their config and grid)");
    // Nothing may write A, B or C meanwhile.
    for (const auto& dir : {merge[0], merge[1], out}) {
      if (dir == out) std::filesystem::create_directories(out);
      auto lock = FileLock::try_lock_directory(dir);
      if (!lock)
        throw ConfigError(dir == out ? "--out" : "--merge", dir,
                          "a directory no sweep is running in (another process holds "
                          "its lock)");
      locks.push_back(std::move(*lock));
    }
  } catch (const std::exception& e) {
    std::cerr << "raftsim sweep: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }
  try {
    const MergeOutcome m = merge_sweeps(merge[0], merge[1], out);
    std::cout << out << "/sweep.h5  points=" << m.points << "  runs=" << m.linked
              << "  not run=" << m.not_run << "  in both=" << m.both << "\n";
    return to_int(ExitStatus::kOk);
  } catch (const ConfigError& e) {
    std::cerr << "raftsim sweep: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  } catch (const std::exception& e) {
    std::cerr << "raftsim sweep: " << one_line(e) << "\n";
    return to_int(ExitStatus::kFailure);
  }
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
  std::string config_path, out;
  std::vector<std::string> sets, grids, zips, merge, spaces;
  int seeds = 0, sample = 0;
  std::string sample_seed = "1";
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int jobs = cores;
  bool overwrite = false, quiet = false;
  std::string executor = "local";
  bool on_slurm = false;
  SlurmOptions slurm;
  po::options_description opts(
      "raftsim sweep: run a grid of experiments, one HDF5 file per point, plus "
      "DIR/sweep.h5.\n\n"
      "Usage: raftsim sweep --config BASE.ini --grid KEY=V1,V2,... [--grid ...] [--zip "
      "KEY=V1,V2 "
      "--zip KEY2=W1,W2] [--sample N --space KEY=KIND:... [--space ...]] [--seeds N] "
      "--out DIR [--jobs N] [--overwrite] [--quiet]\n"
      "       [--executor slurm [--throttle N] [--sbatch ARG]... [--max-array-size N] "
      "[--emit-only]]\n"
      "       raftsim sweep --merge A B --out C\n\n"
      "The grid is the cartesian product of the --grid axes (and of the one --zip "
      "axis, whose\n"
      "keys move together). Rerunning the same command skips complete runs and redoes "
      "the\n"
      "others. More seeds, grid values or zip rows grow the sweep (only the new "
      "points run);\n"
      "a changed base config, or a grid that drops a value with runs, is refused "
      "unless\n"
      "--overwrite. --merge joins two sweeps of one base config and axes into C.\n"
      "--sample N draws N configurations of the --space keys from --sample-seed "
      "(random "
      "search,\nsweep/random_search.h), one axis whose points are named sample=0 ... "
      "N-1; a larger N\ngrows the sweep with the same first draws.\n"
      "With --executor slurm the points run as Slurm job arrays (sbatch), one task "
      "per point;\n"
      "the command waits for them and fills sweep.h5 as the local executor does "
      "(sweep/slurm.h).\n\nOptions");
  add_config_options(opts, config_path, sets);
  opts.add_options()("grid,g", po::value(&grids)->composing(),
                     "KEY=V1,V2,...: one axis of the grid (repeatable)")(
      "zip,z", po::value(&zips)->composing(),
      "KEY=V1,V2,...: keys that move together, as one axis (repeatable, equal "
      "lengths)")("sample", po::value(&sample)->default_value(0),
                  "N > 0: random search, N configurations drawn from the --space keys")(
      "space", po::value(&spaces)->composing(),
      "KEY=log:LO:HI, KEY=lin:LO:HI, KEY=int:LO:HI or KEY=choice:A,B,...: one "
      "dimension of the random search (repeatable)")(
      "sample-seed", po::value(&sample_seed)->default_value(sample_seed),
      "the stream the --sample draws come from")(
      "seeds", po::value(&seeds)->default_value(0),
      "N > 0: add the axis seed = base seed, base seed + 1, ..., + N - 1")(
      "out,o", po::value(&out), "output directory (created)")(
      "jobs,j", po::value(&jobs)->default_value(cores),
      "runs at once (default: the number of cores)")(
      "overwrite", po::bool_switch(&overwrite),
      "redo every run; accept a changed grid")("quiet,q", po::bool_switch(&quiet),
                                               "no progress line")(
      "executor", po::value(&executor)->default_value("local"),
      "local (worker processes here) or slurm (job arrays through sbatch)")(
      "throttle", po::value(&slurm.throttle)->default_value(0),
      "slurm: at most N tasks of an array at once (%N; 0 = no limit)")(
      "sbatch", po::value(&slurm.sbatch_args)->composing(),
      "slurm: one argument for sbatch, e.g. --sbatch=--partition=short (repeatable)")(
      "max-array-size", po::value(&slurm.max_array_size)->default_value(0),
      "slurm: tasks per array (0 = Slurm's MaxArraySize, from scontrol)")(
      "emit-only", po::bool_switch(&slurm.emit_only),
      "slurm: write the array scripts and print the sbatch commands, submit nothing")(
      "merge", po::value(&merge)->multitoken(),
      "A B: join two sweep directories of the same base config and axes into --out");
  if (const auto status = parse_args("sweep", opts, args)) return to_int(*status);
  if (!merge.empty()) return merge_command(merge, out, config_path, sets, grids, zips);
  SweepSpec spec;
  Settings base;
  std::vector<SweepPoint> points;
  try {
    if (out.empty()) throw ConfigError("--out", "", "an output directory");
    if (jobs < 1) throw ConfigError("--jobs", std::to_string(jobs), "an integer >= 1");
    // The one place the executor's name is read.
    if (executor == "slurm")
      on_slurm = true;
    else if (executor != "local")
      throw ConfigError("--executor", executor, "local or slurm");
    // Points are named, logged and (on Slurm) scripted under --out.
    check_script_path("--out", std::filesystem::absolute(out).string());
    if (!on_slurm && (slurm.emit_only || !slurm.sbatch_args.empty() ||
                      slurm.throttle != 0 || slurm.max_array_size != 0))
      throw ConfigError(
          "--executor", executor,
          "slurm with --emit-only, --sbatch, --throttle or --max-array-size");
    if (slurm.throttle < 0)
      throw ConfigError("--throttle", std::to_string(slurm.throttle),
                        "an integer >= 0");
    if (slurm.max_array_size < 0)
      throw ConfigError("--max-array-size", std::to_string(slurm.max_array_size),
                        "an integer >= 0");
    if (on_slurm && !slurm.emit_only && find_program("sbatch").empty())
      throw ConfigError(
          "--executor", executor,
          "local here, or slurm on a machine with Slurm's client: sbatch is "
          "not on PATH (scripts/setup/install-deps.sh installs it, "
          "scripts/fixtures/slurm-local.sh starts a one-machine Slurm)");
    if (seeds < 0)
      throw ConfigError("--seeds", std::to_string(seeds), "an integer >= 0");
    base = read_settings(config_path, sets);
    for (const auto& g : grids) spec.axes.push_back(parse_axis({g}));
    if (!zips.empty()) spec.axes.push_back(parse_axis(zips));
    if (sample < 0)
      throw ConfigError("--sample", std::to_string(sample), "an integer >= 0");
    if (sample == 0 && !spaces.empty())
      throw ConfigError("--space", spaces.front(), "used with --sample N, N >= 1");
    if (sample > 0) {
      std::vector<SpaceDimension> space;
      for (const auto& item : spaces) space.push_back(parse_space(item));
      const auto stream = static_cast<uint64_t>(parse_int(
          "--sample-seed", sample_seed, 0, std::numeric_limits<int64_t>::max()));
      spec.axes.push_back(sample_axis(space, sample, stream));
    }
    if (seeds > 0) {
      for (const auto& axis : spec.axes)
        for (const auto& k : axis.keys)
          if (k == "seed")
            throw ConfigError("--seeds", std::to_string(seeds),
                              "not combined with a seed grid");
      spec.axes.push_back(seed_axis(make_run_config(base).seed, seeds));
    }
    points = expand(spec, base);
    check_sweep_dir(out, spec, base, overwrite);
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec || access(out.c_str(), W_OK) != 0)
      throw ConfigError("--out", out,
                        "a directory raftsim can create and write (" +
                            (ec ? ec.message() : std::string("not writable")) + ")");
  } catch (const std::exception& e) {
    std::cerr << "raftsim sweep: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }
  // One sweep per directory at a time, by whatever name it is reached.
  std::optional<FileLock> lock;
  try {
    lock = FileLock::try_lock_directory(out);
  } catch (const std::exception& e) {
    std::cerr << "raftsim sweep: " << e.what() << "\n";
    return to_int(ExitStatus::kFailure);
  }
  if (!lock) {
    std::cerr << "raftsim sweep: --out = '" << out << "' is not allowed: must be a "
              << "directory no other sweep is running in (another process holds "
              << "its lock)\n";
    return to_int(ExitStatus::kBadInput);
  }
  install_signal_handlers();
  SweepOptions options;
  options.out_dir = out;
  options.jobs = jobs;
  options.overwrite = overwrite;
  options.quiet = quiet;
  options.raftsim = self_executable();
  options.interrupt = &g_interrupted;
  SweepOutcome o;
  try {
    o = on_slurm ? run_sweep_on_slurm(spec, base, points, options, slurm)
                 : run_sweep(spec, base, points, options);
  } catch (const ConfigError& e) {  // Slurm still holds an earlier submission's tasks
    std::cerr << "raftsim sweep: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  } catch (const std::exception& e) {  // the manifest or a config could not be written
    std::cerr << "raftsim sweep: " << one_line(e) << "\n";
    return to_int(ExitStatus::kFailure);
  }
  std::cout << out << "/sweep.h5  runs=" << points.size() << "  complete=" << o.complete
            << "  skipped=" << o.skipped << "  failed=" << o.failed
            << "  interrupted=" << o.interrupted << "\n";
  if (g_interrupted.load() || o.interrupted > 0)
    return to_int(ExitStatus::kInterrupted);
  return to_int(o.failed > 0 ? ExitStatus::kFailure : ExitStatus::kOk);
}

}  // namespace raftsim::cli
