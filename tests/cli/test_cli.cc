// The raftsim program as a user meets it: help, bad input refused with exit
// 2 before any work, existing files kept, and runs that are killed or
// interrupted leaving every completed iteration readable.
#define BOOST_TEST_MODULE cli
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;
namespace fs = std::filesystem;

namespace {

// Expects exit 2 and a message naming `key` and `value`.
void expect_bad_input(const std::vector<std::string>& args, const std::string& key,
                      const std::string& value) {
  TempDir dir;
  std::vector<std::string> full = args;
  full.insert(full.end(), {"--out", dir.file("never.h5")});
  const ProcessResult r = run_raftsim(full, dir);
  BOOST_TEST_INFO("args: " << args.back() << "; output: " << r.output);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.output, key));
  BOOST_TEST(contains(r.output, "'" + value + "'"));
  BOOST_TEST(!fs::exists(dir.file("never.h5")));
}

// A run of ~0.5 s an iteration that stops itself (SIGSTOP) once row
// `stop_row` is on disk, so a test can signal it at a known point however
// busy the machine is (the transformer workload of experiments/bench.ini).
std::vector<std::string> stopping_run(const std::string& out, int stop_row) {
  return {"run",
          "--config",
          source_dir() + "/experiments/bench.ini",
          "--set",
          "iterations=500",
          "--set",
          "faults.signal=STOP@row:" + std::to_string(stop_row),
          "--out",
          out};
}

}  // namespace

BOOST_AUTO_TEST_CASE(help_and_version) {
  TempDir dir;
  ProcessResult r = run_raftsim({"--help"}, dir);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(contains(r.output, "run"));
  r = run_raftsim({"--version"}, dir);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(contains(r.output, "raftsim 0."));
  r = run_raftsim({"run", "--help"}, dir);
  BOOST_TEST(r.exit_code == 0);
  // Every key is listed with its default.
  for (const auto& k : run_config_schema().keys())
    BOOST_TEST(contains(r.output, "  " + k.name + " = "), k.name);
  BOOST_TEST(contains(r.output, "sampler.k = 8"));
  r = run_raftsim({"frobnicate"}, dir);
  BOOST_TEST(r.exit_code == 2);
}

BOOST_AUTO_TEST_CASE(bad_values_are_refused_naming_key_and_value) {
  expect_bad_input({"run", "--set", "sampler.k=0"}, "sampler.k", "0");
  expect_bad_input({"run", "--set", "sampler.k=eight"}, "sampler.k", "eight");
  expect_bad_input({"run", "--set", "ranker.acceptance_ratio=1.5"},
                   "ranker.acceptance_ratio", "1.5");
  expect_bad_input({"run", "--set", "reward.noise=laplace"}, "reward.noise", "laplace");
  expect_bad_input({"run", "--set", "sampler.kk=3"}, "sampler.kk", "3");
  expect_bad_input({"run", "--set", "sampler.k"}, "--set", "sampler.k");
  expect_bad_input({"run", "--config", "/nonexistent/x.ini"}, "--config",
                   "/nonexistent/x.ini");
}

BOOST_AUTO_TEST_CASE(bad_config_files_are_refused) {
  TempDir dir;
  const std::string ini = dir.file("bad.ini");
  std::ofstream(ini) << "seed = 3\n[sampler]\nk = 4\nprompt = 10\n";
  expect_bad_input({"run", "--config", ini}, "sampler.prompt", "10");
  std::ofstream(ini) << "[policy]\ntemperature = -1\n";
  expect_bad_input({"run", "--config", ini}, "policy.temperature", "-1");
}

BOOST_AUTO_TEST_CASE(output_paths_are_checked_and_existing_files_kept) {
  TempDir dir;
  // A missing directory is made (the README's `--out runs/q.h5` on a fresh
  // clone); one that cannot be (its parent is a file) is refused.
  ProcessResult r = run_raftsim(
      {"run", "--quiet", "--set", "iterations=1", "--out", dir.file("new/sub/run.h5")},
      dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  std::ofstream(dir.file("plain")) << "a file";
  const std::string under_file = dir.file("plain/sub/run.h5");
  r = run_raftsim({"run", "--out", under_file}, dir);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.output, "--out"));
  BOOST_TEST(contains(r.output, "'" + under_file + "'"));

  const std::string out = dir.file("run.h5");
  std::ofstream(out) << "precious";
  r = run_raftsim({"run", "--set", "iterations=2", "--out", out}, dir);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.output, "--overwrite"));
  BOOST_TEST(read_text(out) == "precious");

  r = run_raftsim({"run", "--set", "iterations=2", "--out", out, "--overwrite"}, dir);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(H5File::open_read(out).read("/metrics/gold_reward_mean").size() == 2u);
}

BOOST_AUTO_TEST_CASE(quickstart_runs_and_its_file_reproduces_the_config) {
  TempDir dir;
  const std::string out = dir.file("qs.h5");
  const ProcessResult r = run_raftsim(
      {"run", "--config", source_dir() + "/experiments/quickstart.ini", "--out", out},
      dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, out));
  H5File f = H5File::open_read(out);
  BOOST_TEST(f.string_attribute("status") == "complete");
  BOOST_TEST(f.int_attribute("seed") == 1);
  const std::string config = f.string_attribute("config");
  BOOST_TEST(contains(config, "[sampler]\nprompts = 256\nk = 8\nchunk = 32\n"));
  // The stored config alone reproduces the run bit for bit.
  const std::string ini = dir.file("resolved.ini");
  std::ofstream(ini) << config;
  const ProcessResult again =
      run_raftsim({"run", "--config", ini, "--out", dir.file("again.h5")}, dir);
  BOOST_TEST(again.exit_code == 0, again.output);
  BOOST_TEST(
      (H5File::open_read(dir.file("again.h5")).read("/metrics/gold_reward_mean") ==
       f.read("/metrics/gold_reward_mean")));
  for (const char* attr : {"raftsim_version", "created", "host", "environment"})
    BOOST_TEST(!f.string_attribute(attr).empty(), attr);
}

// Starts a run that stops itself after row 1, sends it `sig` (from outside,
// as a terminal would) and lets it continue; checks the exit status, the
// file's status and that every table has the same rows.
void stop_run_with(int sig, int expected_exit, const std::string& expected_status) {
  TempDir dir;
  const std::string out = dir.file("stopped.h5");
  const pid_t pid = spawn_raftsim(stopping_run(out, 1), dir.file("log"));
  BOOST_TEST_REQUIRE(wait_stopped(pid), read_text(dir.file("log")));
  kill(pid, sig);
  kill(pid, SIGCONT);
  BOOST_TEST(wait_exit(pid) == expected_exit);
  H5File f = H5File::open_read(out);
  BOOST_TEST(f.string_attribute("status") == expected_status);
  const size_t rows = f.read("/metrics/gold_reward_mean").size();
  BOOST_TEST_MESSAGE("signal " << sig << ": " << rows << " rows readable");
  BOOST_TEST(rows >= 2u);
  BOOST_TEST(rows < 500u);
  for (const auto& name : f.list("/metrics"))
    BOOST_TEST(f.read("/metrics/" + name).size() == rows);
  for (const auto& name : f.list("/timing"))
    BOOST_TEST(f.read("/timing/" + name).size() == rows);
}

BOOST_AUTO_TEST_CASE(a_run_file_records_its_provenance_and_reproduces_itself) {
  TempDir dir;
  const std::string out = dir.file("r.h5");
  const ProcessResult made = run_raftsim(
      {"run", "--quiet", "--config", source_dir() + "/experiments/quickstart.ini",
       "--set", "iterations=4", "--out", out},
      dir);
  BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.output);
  {
    const H5File f = H5File::open_read(out);
    BOOST_TEST(contains(f.string_attribute("command_line"), " run --quiet --config "));
    BOOST_TEST(contains(f.string_attribute("compute_identity"), "aten"));
    BOOST_TEST(contains(f.string_attribute("libraries"), "libtorch"));
    BOOST_TEST(f.string_attribute("source_commit").size() >= 7u);
    for (const char* attr : {"source_dirty", "image", "slurm"})
      BOOST_TEST(f.has_attribute(attr), attr);
  }
  ProcessResult r = run_raftsim({"reproduce", "--quiet", out}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "identical: 4 rows"), r.output);
  // One bit of one column of one row changed: found and named, with what
  // in the provenance differs (here: the compute identity, as edited).
  {
    H5File f = H5File::open_write(out);
    auto kl = f.read("/metrics/entropy");
    uint64_t bits;
    std::memcpy(&bits, &kl[2], sizeof bits);
    bits ^= 1;
    std::memcpy(&kl[2], &bits, sizeof bits);
    f.remove("/metrics/entropy");
    f.write("/metrics/entropy", kl, {kl.size()});
    f.set_attribute("compute_identity",
                    "libtorch 1.13.0, aten AVX512, openblas SkylakeX");
  }
  r = run_raftsim({"reproduce", "--quiet", out, "--out", dir.file("again.h5")}, dir);
  BOOST_TEST(r.exit_code == 1, r.output);
  BOOST_TEST(contains(r.output, "differs: entropy at iteration 2"), r.output);
  BOOST_TEST(contains(r.output, "provenance differs: compute_identity"), r.output);
  BOOST_TEST(is_run(dir.file("again.h5")));
  // summarize warns that the two were made on different arithmetic.
  r = run_raftsim({"summarize", out, dir.file("again.h5")}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "warning: the runs differ in compute_identity"),
             r.output);
  r = run_raftsim({"reproduce", dir.file("missing.h5")}, dir);
  BOOST_TEST(r.exit_code == 2, r.output);
  BOOST_TEST(contains(r.output, "FILE.h5"), r.output);
}

BOOST_AUTO_TEST_CASE(sigkill_keeps_every_completed_iteration_readable) {
  stop_run_with(SIGKILL, 128 + SIGKILL, "running");
}

BOOST_AUTO_TEST_CASE(sigint_finishes_the_iteration_and_exits_130) {
  stop_run_with(SIGINT, 130, "interrupted");
}

BOOST_AUTO_TEST_CASE(sigterm_is_handled_like_sigint) {
  stop_run_with(SIGTERM, 130, "interrupted");
}

BOOST_AUTO_TEST_CASE(process_limits_too_small_are_refused_before_any_work) {
  // ulimit -v hung a run in OpenBLAS's retries; ulimit -n failed it with a
  // 29-line LibTorch backtrace. (Below about 0.7 GB of address space
  // OpenBLAS's own constructor loops before main: nothing can report that.)
  TempDir dir;
  std::vector<std::pair<std::string, std::string>> limits{
      {"ulimit -n 16", "ulimit -n"}};
#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
  // A sanitized binary maps terabytes of shadow memory before main, which
  // no address-space limit below the estimate allows: there the limit is
  // the sanitizer's, not raftsim's, and the case says nothing.
  limits.emplace_back("ulimit -v 1200000", "ulimit -v");
#endif
  for (const auto& [limit, key] : limits) {
    const std::string log = dir.file("limit.log");
    const ChildExit e =
        wait_child(start_child("/bin/sh",
                               {"-c", limit + "; exec \"$0\" \"$@\"", raftsim_bin(),
                                "run", "--quiet", "--out", dir.file("never.h5")},
                               log));
    const std::string output = read_text(log);
    BOOST_TEST(e.code == 2, limit << ": " << output);
    BOOST_TEST(contains(output, key + " = '"), output);
    BOOST_TEST(std::count(output.begin(), output.end(), '\n') == 1, output);
    BOOST_TEST(!std::filesystem::exists(dir.file("never.h5")));
  }
}

BOOST_AUTO_TEST_CASE(sighup_is_handled_like_sigint) {
  // A closed terminal: before 0.4 it exited 129 and left status running.
  stop_run_with(SIGHUP, 130, "interrupted");
}

BOOST_AUTO_TEST_CASE(
    a_swmr_reader_holding_the_file_does_not_stop_checkpoints_or_the_end) {
  // Before 0.5 the writer left SWMR mode at its first checkpoint and
  // reopened the file under HDF5's own lock: a reader holding the file
  // then made that reopen fail, and the run with it. Now the writer comes
  // back to SWMR after each checkpoint and reopens without HDF5's lock
  // (one writer per file is raftsim's own lock).
  TempDir dir;
  const std::string out = dir.file("live.h5");
  const pid_t pid = spawn_raftsim(
      {"run", "--config", source_dir() + "/experiments/quickstart.ini", "--set",
       "iterations=8", "--set", "log.swmr=true", "--set", "log.checkpoint_every=3",
       "--set", "faults.signal=STOP@row:1", "--out", out},
      dir.file("log"));
  BOOST_TEST_REQUIRE(wait_stopped(pid), read_text(dir.file("log")));
  {
    // Open across the rest of the run: its checkpoints (after rows 2, 5
    // and 7) and its final status.
    H5File live = H5File::open_read(out, /*swmr=*/true);
    BOOST_TEST(live.read("/metrics/gold_reward_mean").size() >= 2u);
    kill(pid, SIGCONT);
    BOOST_TEST(wait_exit(pid) == 0, read_text(dir.file("log")));
    BOOST_TEST(live.read("/metrics/gold_reward_mean").size() >= 2u);
  }
  H5File f = H5File::open_read(out);
  BOOST_TEST(f.string_attribute("status") == "complete");
  BOOST_TEST(f.read("/metrics/gold_reward_mean").size() == 8u);
  BOOST_TEST(f.exists("/checkpoints/0000000007"));  // the last one kept
}

BOOST_AUTO_TEST_CASE(swmr_lets_a_reader_follow_a_running_run) {
  TempDir dir;
  const std::string out = dir.file("live.h5");
  auto args = stopping_run(out, 2);
  args.insert(args.end(),
              {"--set", "log.swmr=true", "--set", "log.checkpoint_every=0"});
  const pid_t pid = spawn_raftsim(args, dir.file("log"));
  // Read as a SWMR reader while the writer, stopped after its third row,
  // still holds the file open for writing.
  BOOST_TEST_REQUIRE(wait_stopped(pid), read_text(dir.file("log")));
  size_t rows = 0;
  {
    H5File live = H5File::open_read(out, /*swmr=*/true);
    rows = live.read("/metrics/gold_reward_mean").size();
    BOOST_TEST(live.read("/timing/wall_seconds").size() >= rows);
  }
  BOOST_TEST(rows >= 3u);
  kill(pid, SIGINT);
  kill(pid, SIGCONT);
  BOOST_TEST(wait_exit(pid) == 130);
  H5File f = H5File::open_read(out);  // a plain open after a clean close
  BOOST_TEST(f.string_attribute("status") == "interrupted");
  BOOST_TEST(f.read("/metrics/gold_reward_mean").size() >= rows);
}
