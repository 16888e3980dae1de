// The Slurm executor of a sweep (`raftsim sweep --executor slurm`): the
// points a sweep has left to run (sweep/sweep.h's plan) become job arrays,
// each task one `raftsim run` of one point, as the local executor would run
// it (--resume for an unfinished run file). Arrays hold at most
// max_array_size tasks (Slurm's MaxArraySize, read from `scontrol show
// config`), run at most `throttle` at once (%N), and take `sbatch_args`
// (partition, time, account, cpus per task, ...). Unless emit_only, it
// submits them with sbatch, follows them with squeue (updating the manifest
// as points finish), cancels them with scancel on Ctrl-C, and fills
// sweep.h5 as the local executor does; rerunning the same command submits
// only the points that are missing or not complete.
//
// A rerun while tasks of an earlier submission of the same directory are
// still in Slurm's queue (squeue, by the sweep's job name) is refused: they
// would run their points twice at once. Each submission writes its scripts
// into a directory of its own, so no file a queued task reads is rewritten.
// If squeue keeps failing (the controller is down), the points it lost
// track of are marked 'unknown' in sweep.h5 before the sweep gives up.
//
// Files, beside the local executor's (DIR/configs, DIR/logs, DIR/sweep.h5):
//   DIR/slurm/submission-<UTC time>-<pid>/   one per submission, never rewritten:
//     array-<j>.sh     the job script of array j
//     array-<j>.tasks  its points, one per line: NAME<TAB>run|resume
//     submit.sh        with --emit-only: the sbatch commands
//   DIR/logs/slurm-<job>_<task>.log  what Slurm itself wrote for a task
#pragma once

#include <string>
#include <vector>

#include "sweep/sweep.h"

namespace raftsim {

struct SlurmOptions {
  bool emit_only = false;
  std::vector<std::string> sbatch_args;  // passed to sbatch as they are
  int throttle = 0;        // at most this many tasks at once (0: no limit)
  int max_array_size = 0;  // 0: ask scontrol (1001 if it cannot say)
  double poll_seconds = 1.0;
};

// Throws ConfigError(key, path) when `path` holds a control character (a
// newline would end a line of a job script and start a command there);
// every path written into a script is checked, the rest is quoted.
void check_script_path(const std::string& key, const std::string& path);

SweepOutcome run_sweep_on_slurm(const SweepSpec& spec, const Settings& base,
                                const std::vector<SweepPoint>& points,
                                const SweepOptions& options, const SlurmOptions& slurm);

}  // namespace raftsim
