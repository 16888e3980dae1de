// Sweeps on Slurm (sweep/slurm.h) through a real one-machine Slurm that
// this test starts with scripts/fixtures/slurm-local.sh (Debian's slurmctld, slurmd
// and munge, installed by scripts/setup/install-deps.sh; root needed). Shown:
// * every point's /metrics equal the local executor's, bit for bit, and
//   sweep.h5 says complete for each;
// * a task that failed (its output path was a directory) and a point whose
//   run file was lost are submitted again on rerun, and only they;
// * --emit-only writes the array script and submits nothing; arrays split
//   at --max-array-size;
// * Ctrl-C cancels the arrays: the running point is interrupted, the others
//   not run;
// * bad executor options exit 2 before any work.
#define BOOST_TEST_MODULE slurm
#include <signal.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "core/subprocess.h"
#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;
namespace fs = std::filesystem;

namespace {

// The one-machine Slurm, started for this test module and stopped after it.
struct LocalSlurm {
  TempDir dir;
  std::string state = dir.file("slurm");
  LocalSlurm() {
    const std::string script = source_dir() + "/scripts/fixtures/slurm-local.sh";
    const CommandResult r = run_command("/bin/bash", {script, "start", state});
    if (r.code != 0)
      throw std::runtime_error("scripts/fixtures/slurm-local.sh start failed (exit " +
                               std::to_string(r.code) + "): " + r.output);
    setenv("SLURM_CONF", (state + "/slurm.conf").c_str(), 1);
  }
  ~LocalSlurm() {
    run_command("/bin/bash",
                {source_dir() + "/scripts/fixtures/slurm-local.sh", "stop", state});
  }
};

const LocalSlurm& slurm() {
  static LocalSlurm s;
  return s;
}

std::vector<std::string> sweep_args(const std::string& out) {
  return {"sweep",
          "--config",
          source_dir() + "/experiments/quickstart.ini",
          "--set",
          "iterations=3",
          "--grid",
          "sampler.k=2,4",
          "--seeds",
          "2",
          "--out",
          out,
          "--quiet"};
}

std::vector<std::string> with(std::vector<std::string> args,
                              const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

const std::vector<std::string> kPoints = {"sampler.k=2_seed=1", "sampler.k=2_seed=2",
                                          "sampler.k=4_seed=1", "sampler.k=4_seed=2"};

std::vector<std::string> manifest_status(const std::string& dir) {
  return H5File::open_read(dir + "/sweep.h5").read_strings("/table/status");
}

// The submission directories under DIR/slurm, oldest first.
std::vector<std::string> submissions(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir + "/slurm"))
    if (e.is_directory()) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_slurm_sweep_equals_the_local_one_and_reruns_only_what_failed) {
  slurm();
  TempDir dir;
  const std::string local = dir.file("local"), onslurm = dir.file("slurm");
  ProcessResult r = run_raftsim(sweep_args(local), dir);
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  // A task that fails: its output path is a directory.
  fs::create_directories(onslurm + "/" + kPoints[1] + ".h5");
  r = run_raftsim(with(sweep_args(onslurm), {"--executor", "slurm", "--throttle", "2"}),
                  dir);
  BOOST_TEST(r.exit_code == 1, r.output);
  BOOST_TEST(contains(r.output, "complete=3"), r.output);
  BOOST_TEST(contains(r.output, "failed=1"), r.output);
  BOOST_TEST(
      manifest_status(onslurm) ==
          (std::vector<std::string>{"complete", "failed", "complete", "complete"}),
      boost::test_tools::per_element());
  BOOST_TEST(contains(read_text(onslurm + "/logs/" + kPoints[1] + ".log"),
                      "ended without a complete run"));
  // Rerun after the cause is gone and another point's file was lost: only
  // those two are submitted.
  fs::remove_all(onslurm + "/" + kPoints[1] + ".h5");
  fs::remove(onslurm + "/" + kPoints[3] + ".h5");
  r = run_raftsim(with(sweep_args(onslurm), {"--executor", "slurm"}), dir);
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "complete=2  skipped=2  failed=0"), r.output);
  BOOST_TEST(manifest_status(onslurm) == std::vector<std::string>(4, "complete"),
             boost::test_tools::per_element());
  for (const auto& p : kPoints) {
    const auto differ =
        bitwise_differences(local + "/" + p + ".h5", onslurm + "/" + p + ".h5");
    BOOST_TEST(differ.empty(), p << ": " << joined_names(differ));
  }
}

BOOST_AUTO_TEST_CASE(emit_only_writes_the_arrays_and_submits_nothing) {
  slurm();
  TempDir dir;
  const std::string out = dir.file("emit");
  const ProcessResult r = run_raftsim(
      with(sweep_args(out), {"--executor", "slurm", "--emit-only", "--max-array-size",
                             "3", "--sbatch=--partition=raftsim", "--throttle", "1"}),
      dir);
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  // Four points in arrays of at most 3: two arrays, 0-2%1 and 0-0%1, in a
  // directory of this submission's own.
  const auto made = submissions(out);
  BOOST_TEST_REQUIRE(made.size() == 1u);
  const std::string first = read_text(made[0] + "/array-0.sh"),
                    second = read_text(made[0] + "/array-1.sh");
  BOOST_TEST(contains(first, "#SBATCH --array=0-2%1"), first);
  BOOST_TEST(contains(second, "#SBATCH --array=0-0%1"), second);
  BOOST_TEST(contains(read_text(made[0] + "/submit.sh"),
                      "sbatch '--partition=raftsim' '" + made[0] + "/array-0.sh'"));
  BOOST_TEST(manifest_status(out) == std::vector<std::string>(4, "submitted by hand"),
             boost::test_tools::per_element());
  for (const auto& p : kPoints) BOOST_TEST(!fs::exists(out + "/" + p + ".h5"), p);
}

BOOST_AUTO_TEST_CASE(bad_executor_options_exit_2_before_any_work) {
  TempDir dir;
  for (const auto& extra : std::vector<std::vector<std::string>>{
           {"--executor", "pbs"},
           {"--emit-only"},
           {"--sbatch=--partition=x"},
           {"--executor", "slurm", "--throttle", "-1"}}) {
    const std::string out = dir.file("bad");
    const ProcessResult r = run_raftsim(with(sweep_args(out), extra), dir);
    BOOST_TEST(r.exit_code == 2, extra[0] << ": " << r.output);
    BOOST_TEST(!fs::exists(out + "/sweep.h5"), extra[0]);
  }
}

// Ctrl-C to a Slurm sweep cancels its arrays (scancel): the sweep exits 130,
// the running point is `interrupted`, the ones whose task never began `not
// run` (as with the local executor), and no task of it is left in the queue.
BOOST_AUTO_TEST_CASE(an_interrupted_slurm_sweep_cancels_its_arrays_and_exits_130) {
  slurm();
  TempDir dir;
  const std::string out = dir.file("stop");
  const pid_t pid =
      spawn_raftsim({"sweep", "--config", source_dir() + "/experiments/quickstart.ini",
                     "--set", "iterations=3000", "--grid", "seed=1,2,3", "--out", out,
                     "--executor", "slurm", "--throttle", "1", "--quiet"},
                    dir.file("log"));
  // Interrupt once the first task has started its run (its log exists).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(out + "/logs/seed=1.log") &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  BOOST_TEST_REQUIRE(fs::exists(out + "/logs/seed=1.log"), read_text(dir.file("log")));
  kill(pid, SIGINT);
  BOOST_TEST(wait_exit(pid) == 130, read_text(dir.file("log")));
  BOOST_TEST(manifest_status(out) ==
                 (std::vector<std::string>{"interrupted", "not run", "not run"}),
             boost::test_tools::per_element());
  const CommandResult q = run_command(find_program("squeue"), {"-h", "-o", "%i"});
  BOOST_TEST(q.code == 0);
  BOOST_TEST(q.output.empty(), q.output);
}

BOOST_AUTO_TEST_CASE(a_rerun_while_tasks_are_queued_is_refused_and_rewrites_nothing) {
  // An earlier submission whose tasks are still queued (held here, so that
  // they stay queued whatever the machine's load): a rerun once rewrote
  // their task file underneath them and submitted the points again.
  slurm();
  TempDir dir;
  const std::string out = dir.file("held");
  ProcessResult r = run_raftsim(
      with(sweep_args(out), {"--executor", "slurm", "--emit-only", "--sbatch=--hold"}),
      dir);
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  const auto first = submissions(out);
  BOOST_TEST_REQUIRE(first.size() == 1u);
  const CommandResult submitted = run_command("/bin/bash", {first[0] + "/submit.sh"});
  BOOST_TEST_REQUIRE(submitted.code == 0, submitted.output);
  const std::string tasks = read_text(first[0] + "/array-0.tasks");
  r = run_raftsim(with(sweep_args(out), {"--executor", "slurm"}), dir);
  BOOST_TEST(r.exit_code == 2, r.output);
  BOOST_TEST(contains(r.output, "still in Slurm's queue"), r.output);
  BOOST_TEST(read_text(first[0] + "/array-0.tasks") == tasks);
  BOOST_TEST(submissions(out).size() == 1u);  // nothing new written
  // Cancelled (this module's Slurm runs nothing else), the queue empties and
  // the rerun runs every point.
  const CommandResult cancel = run_command(
      "/bin/bash", {"-c",
                    "scancel -u \"$(id -un)\" && for i in $(seq 300); do "
                    "squeue -h | grep -q . || exit 0; sleep 0.1; done; exit 1"});
  BOOST_TEST_REQUIRE(cancel.code == 0, cancel.output);
  r = run_raftsim(with(sweep_args(out), {"--executor", "slurm"}), dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(manifest_status(out) == std::vector<std::string>(4, "complete"),
             boost::test_tools::per_element());
}
