// Faults end in a clear exit and a file that says what happened: a full
// disk (small tmpfs mounts; the test needs root, as CI has), two writers on
// one file or one sweep directory, and a sweep killed with SIGKILL whose
// rerun must neither meet a still-running child nor a corrupt file.
#define BOOST_TEST_MODULE faults
#include <signal.h>
#include <sys/mount.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "runfile/run_layout.h"
#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;
namespace fs = std::filesystem;

namespace {

// A tmpfs of `size` mounted on a fresh directory, unmounted at the end.
struct SmallDisk {
  TempDir dir;
  bool mounted = false;
  explicit SmallDisk(const std::string& size) {
    mounted =
        mount("tmpfs", dir.path.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted) umount(dir.path.c_str());
  }
};

int count_lines(const std::string& text, const std::string& part) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += contains(line, part);
  return n;
}

const std::vector<std::string> kSlow = {
    "--set", "iterations=400", "--set", "task.contexts=64",
    "--set", "task.arms=1024", "--set", "sampler.prompts=2048"};

std::vector<std::string> with(std::vector<std::string> a,
                              const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_full_disk_fails_the_run_in_one_line_and_keeps_what_was_flushed) {
  // 1m: the disk fills mid-run, while HDF5's C++ wrapper holds datasets
  // open (it printed "DataSet::~DataSet - H5Dclose failed" twice).
  for (const char* size : {"1m", "256k", "16k", "4k"}) {
    BOOST_TEST_CONTEXT("tmpfs of " << size) {
      SmallDisk disk(size);
      BOOST_REQUIRE_MESSAGE(disk.mounted, "mounting a tmpfs needs root");
      TempDir logs;
      const std::string out = disk.dir.file("run.h5");
      const ProcessResult r = run_raftsim({"run", "--quiet", "--set", "iterations=60",
                                           "--set", "log.samples=true", "--out", out},
                                          logs);
      BOOST_TEST(r.exit_code == 1, r.output);  // not 0, not a crash
      BOOST_TEST(count_lines(r.output, "No space left on device") == 1, r.output);
      BOOST_TEST(count_lines(r.output, "") <= 2, r.output);  // summary + reason
      BOOST_TEST(contains(r.output, out));
      BOOST_TEST(!contains(r.output, "HDF5-DIAG"));
      BOOST_TEST(!contains(r.output, "~DataSet"));
      if (std::string(size) == "256k") {  // room for the header and some rows
        const RunReader f(out);
        BOOST_TEST(f.status() == RunStatus::kFailed);
        BOOST_TEST(f.rows() >= 1u);
        // Every row of /metrics has all its samples (metrics are written
        // last), and the last one's are that iteration's, not zeros.
        const size_t per_row = std::stoul(f.config().at("sampler.prompts")) *
                               std::stoul(f.config().at("sampler.k"));
        const auto iteration = H5File::open_read(out).read("/samples/iteration");
        BOOST_TEST_REQUIRE(iteration.size() >= f.rows() * per_row);
        BOOST_TEST(iteration[f.rows() * per_row - 1] == double(f.rows() - 1));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_full_disk_under_swmr_fails_cleanly_not_with_a_crash) {
  // HDF5 1.10 segfaulted flushing or closing a SWMR file after a failed
  // write (exit 139); such a file is now abandoned after one line.
  for (const char* size : {"256k", "1m"}) {
    BOOST_TEST_CONTEXT("tmpfs of " << size) {
      SmallDisk disk(size);
      BOOST_REQUIRE_MESSAGE(disk.mounted, "mounting a tmpfs needs root");
      TempDir logs;
      const std::string out = disk.dir.file("run.h5");
      const ProcessResult r =
          run_raftsim({"run", "--quiet", "--set", "iterations=60", "--set",
                       "log.samples=true", "--set", "log.swmr=true", "--out", out},
                      logs);
      BOOST_TEST(r.exit_code == 1, r.output);
      BOOST_TEST(count_lines(r.output, "No space left on device") == 1, r.output);
      BOOST_TEST(count_lines(r.output, "") <= 2, r.output);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_file_size_limit_is_a_write_failure_not_a_signal) {
  // ulimit -f: SIGXFSZ used to end the run (exit 153) with no word and the
  // status left running. The limit is met in a row's write (1000 blocks of
  // dash's 512 bytes here) or in a flush (1500), which once left a file
  // whose superblock claimed more than the limit let be written.
  for (const char* blocks : {"1000", "1500"}) {
    BOOST_TEST_CONTEXT("ulimit -f " << blocks) {
      TempDir dir;
      const std::string out = dir.file("big.h5");
      const pid_t pid = start_child(
          "/bin/sh",
          {"-c", std::string("ulimit -f ") + blocks + "; exec \"$0\" \"$@\"",
           raftsim_bin(), "run", "--quiet", "--set", "iterations=200", "--set",
           "log.samples=true", "--out", out},
          dir.file("log"));
      BOOST_TEST(wait_exit(pid) == 1);
      const std::string output = read_text(dir.file("log"));
      BOOST_TEST(count_lines(output, "File too large") == 1, output);
      BOOST_TEST(count_lines(output, "") <= 2, output);
      // Left as its last flush wrote it: every row flushed before is
      // readable, and it does not claim to be complete.
      BOOST_TEST_REQUIRE(is_run(out));
      BOOST_TEST(RunReader(out).status() != RunStatus::kComplete);
      BOOST_TEST(RunReader(out).rows() >= 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_second_writer_is_refused_and_the_first_run_is_untouched) {
  TempDir dir;
  const std::string out = dir.file("f.h5");
  // The first run stops itself after its second row, holding the file.
  const pid_t first = spawn_raftsim(
      with({"run", "--quiet", "--set", "faults.signal=STOP@row:1", "--out", out},
           kSlow),
      dir.file("a.log"));
  BOOST_TEST_REQUIRE(wait_stopped(first), read_text(dir.file("a.log")));
  // The same file by its name, a symbolic link and a hard link.
  fs::create_symlink(out, dir.file("sym.h5"));
  fs::create_hard_link(out, dir.file("hard.h5"));
  for (const char* name : {"f.h5", "sym.h5", "hard.h5"}) {
    const ProcessResult second = run_raftsim({"run", "--quiet", "--overwrite", "--set",
                                              "iterations=1", "--out", dir.file(name)},
                                             dir);
    BOOST_TEST(second.exit_code == 2, second.output);
    BOOST_TEST(contains(second.output, "--out"));
    BOOST_TEST(contains(second.output, "no other raftsim process is writing"));
  }
  const ProcessResult resume =
      run_raftsim({"run", "--resume", dir.file("hard.h5")}, dir);
  BOOST_TEST(resume.exit_code == 2, resume.output);
  kill(first, SIGINT);
  kill(first, SIGCONT);
  BOOST_TEST(wait_exit(first) == 130);
  const RunReader f(out);
  BOOST_TEST(f.status() == RunStatus::kInterrupted);
  BOOST_TEST(f.config().at("iterations") == "400");  // still the first run's file
  // No lock file is made, so none is left to follow or truncate.
  BOOST_TEST(!fs::exists(out + ".lock"));
}

BOOST_AUTO_TEST_CASE(a_planted_lock_link_is_never_followed) {
  // Earlier versions opened FILE.lock with O_TRUNC: a symbolic link planted
  // there truncated whatever it pointed to.
  TempDir dir;
  const std::string victim = dir.file("victim.txt");
  std::ofstream(victim) << "precious";
  fs::create_symlink(victim, dir.file("r.h5.lock"));
  fs::create_directory(dir.file("sweep"));
  fs::create_symlink(victim, dir.file("sweep/sweep.h5.lock"));
  BOOST_TEST(
      run_raftsim(
          {"run", "--quiet", "--set", "iterations=1", "--out", dir.file("r.h5")}, dir)
          .exit_code == 0);
  BOOST_TEST(run_raftsim({"sweep", "--quiet", "--grid", "seed=1", "--set",
                          "iterations=1", "--out", dir.file("sweep")},
                         dir)
                 .exit_code == 0);
  BOOST_TEST(read_text(victim) == "precious");
}

BOOST_AUTO_TEST_CASE(a_killed_sweep_takes_its_runs_with_it_and_a_rerun_resumes_them) {
  TempDir dir;
  const std::string out = dir.file("sweep");
  // Killed while both points are stopped after row 7 (faults.signal; rows
  // count from 0, so 8 are on disk), each holding checkpoints at 2, 4 and 6
  // rows, however slowly the machine runs:
  // no timer decides where the kill lands. faults.* keys do not change
  // results, so the rerun without them is the same sweep.
  const std::vector<std::string> args = {"sweep",  "--quiet",
                                         "--grid", "seed=1,2",
                                         "--jobs", "2",
                                         "--set",  "log.checkpoint_every=2",
                                         "--set",  "log.checkpoint_keep=3",
                                         "--set",  "iterations=12",
                                         "--out",  out};
  const pid_t sweep = spawn_raftsim(with(args, {"--set", "faults.signal=STOP@row:7"}),
                                    dir.file("sweep.log"));
  std::vector<pid_t> stopped;
  for (int i = 0; i < 2; ++i) {
    const pid_t p =
        wait_for_stopped_descendant(sweep, std::chrono::seconds(600), stopped);
    BOOST_TEST_REQUIRE(p != 0, read_text(dir.file("sweep.log")));
    stopped.push_back(p);
  }
  const std::vector<pid_t> below = descendants(sweep);
  kill(sweep, SIGKILL);
  BOOST_TEST(wait_exit(sweep) == 128 + SIGKILL);
  // Its runs die with it (they hold their files' locks until they are gone):
  // wait for that, then rerun.
  const auto alive = [&] {
    return std::any_of(below.begin(), below.end(), [](pid_t p) {
      const char state = process_state(p);
      return state != 0 && state != 'Z';
    });
  };
  const auto gone_by = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (alive() && std::chrono::steady_clock::now() < gone_by)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  BOOST_TEST_REQUIRE(!alive(), "the sweep's runs outlived it");
  for (const char* name : {"seed=1", "seed=2"})
    BOOST_TEST(RunReader(out + "/" + name + ".h5").rows() == 8u);
  const ProcessResult again = run_raftsim(with(args, {"--set", "sampler.k=4"}), dir);
  BOOST_TEST(again.exit_code == 2);  // a changed grid/base is still refused
  const ProcessResult rerun = run_raftsim(args, dir);
  BOOST_TEST(rerun.exit_code == 0, rerun.output);
  for (const char* name : {"seed=1", "seed=2"}) {
    const RunReader f(out + "/" + name + ".h5");
    BOOST_TEST(f.status() == RunStatus::kComplete);
    BOOST_TEST(f.rows() == 12u);
    // The rerun continued the killed point from a checkpoint of at least 6
    // rows (one of 8 rows may have been on disk too when the stop landed):
    // it logged at most 6 of the 12 rows itself ("iterations=N" counts this
    // session's).
    const std::string log = read_text(out + "/logs/" + name + ".log");
    const auto at = log.find("iterations=");
    BOOST_TEST_REQUIRE(at != std::string::npos, log);
    BOOST_TEST(std::stoi(log.substr(at + 11)) <= 6, log);
  }
}

BOOST_AUTO_TEST_CASE(a_second_sweep_on_one_directory_is_refused) {
  TempDir dir;
  const std::string out = dir.file("sweep");
  // Its first run stops itself after its second row: the sweep holds the
  // directory however long the refusals below take.
  const auto args = with({"sweep", "--quiet", "--grid", "seed=1,2", "--jobs", "1",
                          "--set", "faults.signal=STOP@row:1", "--out", out},
                         kSlow);
  const pid_t first = spawn_raftsim(args, dir.file("first.log"));
  BOOST_TEST_REQUIRE(wait_for_stopped_descendant(first, std::chrono::seconds(300)) != 0,
                     read_text(dir.file("first.log")));
  fs::create_directory_symlink(out, dir.file("alias"));
  for (const std::string& name : {out, dir.file("alias")}) {
    auto again = args;
    again[again.size() - kSlow.size() - 1] = name;
    const ProcessResult second = run_raftsim(again, dir);
    BOOST_TEST(second.exit_code == 2, second.output);
    BOOST_TEST(contains(second.output, "no other sweep is running"), second.output);
  }
  // Ctrl-C: the sweep passes it on to its stopped run, which goes on, stops
  // and the sweep starts no other.
  kill(first, SIGINT);
  for (pid_t p : descendants(first)) kill(p, SIGCONT);
  BOOST_TEST(wait_exit(first) == 130);
}

BOOST_AUTO_TEST_CASE(ctrl_c_during_a_long_warm_start_stops_within_a_step) {
  TempDir dir;
  const std::string out = dir.file("w.h5");
  // Ctrl-C (the process's own SIGINT) at warm-up step 50 of a million: the
  // warm start checks before every step, so the run ends there.
  const ProcessResult r =
      run_raftsim({"run", "--quiet", "--set", "task.name=sequence", "--set",
                   "policy.model=transformer", "--set", "policy.warmup_steps=1000000",
                   "--set", "faults.signal=INT@warmup:50", "--out", out},
                  dir);
  BOOST_TEST(r.exit_code == 130, r.output);
  BOOST_TEST(RunReader(out).status() == RunStatus::kInterrupted);
}

BOOST_AUTO_TEST_CASE(a_second_ctrl_c_closes_the_file_as_interrupted_at_once) {
  TempDir dir;
  const std::string out = dir.file("w.h5");
  // The first Ctrl-C (the process's own SIGINT) as iteration 2 starts, then
  // the process stops itself there; the second Ctrl-C comes from outside
  // while iteration 2 (~2 s) is in flight. The first alone would let it
  // finish and write row 2; the second closes the file at once.
  const pid_t pid = spawn_raftsim(
      {"run", "--quiet", "--config", source_dir() + "/experiments/bench.ini", "--set",
       "iterations=100", "--set", "sampler.prompts=4096", "--set",
       "faults.signal=INT@sample:2,STOP@sample:2", "--out", out},
      dir.file("log"));
  BOOST_TEST_REQUIRE(wait_stopped(pid), read_text(dir.file("log")));
  kill(pid, SIGINT);
  kill(pid, SIGCONT);
  BOOST_TEST(wait_exit(pid) == 130);
  BOOST_TEST(RunReader(out).rows() == 2u);
  BOOST_TEST(RunReader(out).status() == RunStatus::kInterrupted);
}
