// Checkpoint and resume: a run SIGKILLed three times (while sampling,
// in the middle of writing a checkpoint, between a row and its checkpoint) and
// resumed each time, with 1 or 2 generators in turn, ends with /metrics
// bitwise identical to the run that was never stopped. For the tabular and
// the transformer policy at staleness 0, 1 and 2. Plus the refusals.
#define BOOST_TEST_MODULE resume
#include <signal.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstring>

#include "runfile/run_layout.h"
#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;

namespace {

const Settings kTabular = {{"iterations", "40"},
                           {"task.contexts", "32"},
                           {"task.arms", "512"},
                           {"sampler.prompts", "2048"},
                           {"reward.noise", "gaussian"},
                           {"log.checkpoint_every", "1"},
                           {"seed", "5"}};
const Settings kTransformer = {{"iterations", "40"},
                               {"task.name", "sequence"},
                               {"policy.model", "transformer"},
                               {"policy.d_model", "32"},
                               {"policy.ff", "64"},
                               {"policy.warmup_steps", "20"},
                               {"trainer.learning_rate", "0.003"},
                               {"sampler.prompts", "128"},
                               {"sampler.chunk", "16"},
                               {"log.checkpoint_every", "1"},
                               {"seed", "5"}};

std::vector<std::string> with_args(std::vector<std::string> a,
                                   const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::string> set_args(const Settings& settings) {
  std::vector<std::string> out;
  for (const auto& [k, v] : settings) out.insert(out.end(), {"--set", k + "=" + v});
  return out;
}

bool same_metrics(const std::string& a, const std::string& b) {
  const H5File fa = H5File::open_read(a), fb = H5File::open_read(b);
  const auto names = fa.list("/metrics");
  if (names != fb.list("/metrics")) return false;
  for (const auto& n : names) {
    const auto x = fa.read("/metrics/" + n), y = fb.read("/metrics/" + n);
    if (x.size() != y.size() ||
        std::memcmp(x.data(), y.data(), x.size() * sizeof(double))) {
      BOOST_TEST_MESSAGE("metric " << n << " differs");
      return false;
    }
  }
  return true;
}

// Runs `settings` to the end through one SIGKILL per entry of `kills`,
// each a point where the run kills itself (faults.signal), resuming after
// each with 1 or 2 generators in turn. The points are fixed, not timed, so
// every kill lands however busy the machine is.
void run_with_kills(const Settings& settings, const std::string& out,
                    const TempDir& dir, const std::vector<std::string>& kills) {
  for (size_t segment = 0; segment < kills.size(); ++segment) {
    std::vector<std::string> args = {
        "run",   "--quiet",
        "--set", "actors.generators=" + std::to_string(1 + segment % 2),
        "--set", "faults.signal=" + kills[segment]};
    if (segment == 0) {
      const auto sets = set_args(settings);
      args.insert(args.end(), sets.begin(), sets.end());
      args.insert(args.end(), {"--out", out});
    } else {
      args.insert(args.end(), {"--resume", out});
    }
    const ProcessResult r = run_raftsim(args, dir);
    BOOST_TEST_REQUIRE(r.exit_code == 128 + SIGKILL,
                       kills[segment] << ": " << r.output);
    BOOST_TEST_REQUIRE(RunReader(out).status() == RunStatus::kRunning);
  }
  const ProcessResult last = run_raftsim({"run", "--quiet", "--resume", out}, dir);
  BOOST_TEST(last.exit_code == 0, last.output);
}

// Killed while sampling (staleness > 0: while training and writing an
// earlier iteration), inside a checkpoint's write (a torn checkpoint the
// resume must pass over) and between a row and its checkpoint (rows past
// the checkpoint, recomputed).
const std::vector<std::string> kKills = {"KILL@sample:9", "KILL@checkpoint:20",
                                         "KILL@row:31"};

void check_policy(const Settings& base) {
  for (int staleness : {0, 1, 2}) {
    BOOST_TEST_CONTEXT("staleness " << staleness) {
      TempDir dir;
      const Settings s =
          joined(base, {{"actors.max_staleness", std::to_string(staleness)}});
      BOOST_REQUIRE(run(s, dir.file("ref.h5")).status == RunStatus::kComplete);
      run_with_kills(s, dir.file("killed.h5"), dir, kKills);
      const RunReader r(dir.file("killed.h5"));
      BOOST_TEST(r.status() == RunStatus::kComplete);
      BOOST_TEST(same_metrics(dir.file("ref.h5"), dir.file("killed.h5")));
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(tabular_killed_three_times_equals_the_uninterrupted_run,
                     *boost::unit_test::label("kill")) {
  check_policy(kTabular);
}

BOOST_AUTO_TEST_CASE(transformer_killed_three_times_equals_the_uninterrupted_run,
                     *boost::unit_test::label("kill")) {
  check_policy(kTransformer);
}

BOOST_AUTO_TEST_CASE(an_interrupted_run_resumes_from_its_last_row) {
  TempDir dir;
  const Settings s =
      joined(kTabular, {{"log.checkpoint_every", "7"}, {"actors.max_staleness", "1"}});
  BOOST_REQUIRE(run(s, dir.file("ref.h5")).status == RunStatus::kComplete);
  const std::string out = dir.file("int.h5");
  // Ctrl-C (the process's own SIGINT) after row 10: the run finishes what
  // is in flight and closes the file as interrupted.
  const ProcessResult stopped = run_raftsim(
      with_args({"run", "--quiet", "--set", "faults.signal=INT@row:10", "--out", out},
                set_args(s)),
      dir);
  BOOST_REQUIRE(stopped.exit_code == 130);
  BOOST_REQUIRE(RunReader(out).status() == RunStatus::kInterrupted);
  const size_t rows = RunReader(out).rows();
  BOOST_TEST(rows >= 11u);
  // The checkpoint is after the last row, whatever checkpoint_every says.
  const auto checkpoints = H5File::open_read(out).list("/checkpoints");
  char last[16];
  std::snprintf(last, sizeof last, "%010zu", rows - 1);
  BOOST_TEST(
      (std::find(checkpoints.begin(), checkpoints.end(), last) != checkpoints.end()));
  const ProcessResult r = run_raftsim({"run", "--quiet", "--resume", out}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(same_metrics(dir.file("ref.h5"), out));
}

BOOST_AUTO_TEST_CASE(a_complete_run_is_extended_not_redone) {
  TempDir dir;
  BOOST_REQUIRE(
      run(joined(kTabular, {{"iterations", "12"}}), dir.file("long.h5")).status ==
      RunStatus::kComplete);
  BOOST_REQUIRE(
      run(joined(kTabular, {{"iterations", "8"}}), dir.file("short.h5")).status ==
      RunStatus::kComplete);
  ProcessResult r = run_raftsim({"run", "--resume", dir.file("short.h5")}, dir);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.output, "--resume"));
  r = run_raftsim(
      {"run", "--quiet", "--resume", dir.file("short.h5"), "--set", "iterations=12"},
      dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(same_metrics(dir.file("long.h5"), dir.file("short.h5")));
}

BOOST_AUTO_TEST_CASE(resuming_refuses_what_would_change_results) {
  TempDir dir;
  const std::string f = dir.file("r.h5");
  BOOST_REQUIRE(run(joined(kTabular, {{"iterations", "3"}}), f).status ==
                RunStatus::kComplete);
  H5File::open_write(f).set_attribute("status", "interrupted");
  for (const auto& [key, value] :
       Settings{{"sampler.k", "4"}, {"seed", "6"}, {"trainer.epochs", "3"}}) {
    const ProcessResult r =
        run_raftsim({"run", "--resume", f, "--set", key + "=" + value}, dir);
    BOOST_TEST(r.exit_code == 2, key);
    BOOST_TEST(contains(r.output, key), r.output);
  }
  // The same value, or a key that does not change results, is fine.
  ProcessResult r = run_raftsim({"run", "--quiet", "--resume", f, "--set",
                                 "sampler.k=8", "--set", "actors.reward_workers=2"},
                                dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  // Another raftsim version.
  H5File::open_write(f).set_attribute("raftsim_version", "0.0.1");
  r = run_raftsim({"run", "--resume", f}, dir);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.output, "0.0.1"));
  // Not a run file, a directory, --config with --resume.
  std::ofstream(dir.file("junk.h5")) << "junk";
  BOOST_TEST(run_raftsim({"run", "--resume", dir.file("junk.h5")}, dir).exit_code == 2);
  BOOST_TEST(run_raftsim({"run", "--resume", dir.path.string()}, dir).exit_code == 2);
  BOOST_TEST(run_raftsim({"run", "--resume", f, "--config", f}, dir).exit_code == 2);
}

// Hostile files (issue 23): resume continues only from state it can prove
// belongs to the run, never discards a row it cannot recompute, and leaves
// a file it refuses exactly as it was.
namespace {

const Settings kSmall = joined(kTabular, {{"iterations", "6"}});

// The file's bytes, to show a refusal left it untouched.
std::string bytes_of(const std::string& path) { return read_text(path); }

// A finished run of `settings` whose status now says interrupted.
std::string interrupted_run(const Settings& settings, const TempDir& dir,
                            const std::string& name) {
  const std::string f = dir.file(name);
  BOOST_REQUIRE(run(settings, f).status == RunStatus::kComplete);
  H5File::open_write(f).set_attribute("status", "interrupted");
  return f;
}

void expect_refusal(const std::vector<std::string>& args, const std::string& file,
                    const std::vector<std::string>& said, const TempDir& dir) {
  const std::string before = bytes_of(file);
  const ProcessResult r = run_raftsim(args, dir);
  BOOST_TEST(r.exit_code == 2, r.output);
  for (const auto& part : said) BOOST_TEST(contains(r.output, part), r.output);
  BOOST_TEST(std::count(r.output.begin(), r.output.end(), '\n') == 1, r.output);
  BOOST_TEST((bytes_of(file) == before), "the refused file changed");
}

// Replaces the blob at `path` by `bytes`, keeping its attributes.
void overwrite_blob(const std::string& file, const std::string& path,
                    const std::vector<uint8_t>& bytes) {
  H5File f = H5File::open_write(file);
  const std::string run_id = f.string_attribute("run", path);
  const int64_t sum = f.int_attribute("checksum", path);
  f.remove(path);
  f.write_bytes(path, bytes);
  f.set_attribute("run", run_id, path);
  f.set_attribute("checksum", sum, path);
}

// Copies the blob at `path` of `from`, with its attributes, over `to`'s.
void copy_blob(const std::string& from, const std::string& to,
               const std::string& path) {
  const H5File src = H5File::open_read(from);
  const auto bytes = src.read_bytes(path);
  const std::string run_id = src.string_attribute("run", path);
  const int64_t sum = src.int_attribute("checksum", path);
  H5File dst = H5File::open_write(to);
  dst.remove(path);
  dst.write_bytes(path, bytes);
  dst.set_attribute("run", run_id, path);
  dst.set_attribute("checksum", sum, path);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_run_without_checkpoints_is_refused_not_truncated) {
  TempDir dir;
  const std::string f =
      interrupted_run(joined(kSmall, {{"log.checkpoint_every", "0"}}), dir, "n.h5");
  expect_refusal({"run", "--resume", f, "--set", "log.checkpoint_every=1", "--set",
                  "iterations=8"},
                 f, {"--resume", "log.checkpoint_every = 0", "6 rows"}, dir);
  BOOST_TEST(RunReader(f).rows() == 6u);
  // The same when the /checkpoints group is gone.
  const std::string g = interrupted_run(kSmall, dir, "g.h5");
  H5File::open_write(g).remove("/checkpoints");
  expect_refusal({"run", "--resume", g, "--set", "iterations=8"}, g,
                 {"--resume", "6 rows"}, dir);
}

BOOST_AUTO_TEST_CASE(iterations_below_the_rows_held_are_refused) {
  TempDir dir;
  const std::string f = interrupted_run(kSmall, dir, "s.h5");
  expect_refusal({"run", "--resume", f, "--set", "iterations=3"}, f,
                 {"iterations", ">= 6"}, dir);
}

BOOST_AUTO_TEST_CASE(an_edited_config_group_is_refused_naming_the_key) {
  TempDir dir;
  const std::string f = interrupted_run(kSmall, dir, "e.h5");
  H5File::open_write(f).set_attribute("sampler.k", "6", "/config");
  expect_refusal({"run", "--resume", f, "--set", "iterations=8"}, f,
                 {"--resume", "sampler.k = 6", "edited"}, dir);
}

BOOST_AUTO_TEST_CASE(damaged_or_foreign_state_is_named_and_never_used) {
  TempDir dir;
  const Settings s = joined(kSmall, {{"log.checkpoint_keep", "2"}});
  BOOST_REQUIRE(run(joined(s, {{"iterations", "9"}}), dir.file("ref.h5")).status ==
                RunStatus::kComplete);
  // A damaged newest checkpoint: passed over aloud for the older one, and
  // the recomputed rows are the run's own.
  const std::string d = interrupted_run(s, dir, "d.h5");
  auto trainer = H5File::open_read(d).read_bytes("/checkpoints/0000000005/trainer");
  BOOST_REQUIRE(!trainer.empty());
  trainer[trainer.size() / 2] ^= 1;
  overwrite_blob(d, "/checkpoints/0000000005/trainer", trainer);
  ProcessResult r =
      run_raftsim({"run", "--quiet", "--resume", d, "--set", "iterations=9"}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "0000000005/trainer is damaged"), r.output);
  BOOST_TEST(same_metrics(dir.file("ref.h5"), d));

  // Another seed's checkpoints copied in: named as another run's, passed
  // over; with no checkpoint of its own left, it continues from its pi_0.
  const std::string mine = interrupted_run(s, dir, "mine.h5");
  const std::string other =
      interrupted_run(joined(s, {{"seed", "6"}}), dir, "other.h5");
  for (const char* blob :
       {"/checkpoints/0000000004/trainer", "/checkpoints/0000000004/v5",
        "/checkpoints/0000000005/trainer", "/checkpoints/0000000005/v6"})
    copy_blob(other, mine, blob);
  r = run_raftsim({"run", "--quiet", "--resume", mine, "--set", "iterations=9"}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "belongs to another run"), r.output);
  BOOST_TEST(same_metrics(dir.file("ref.h5"), mine));

  // pi_0 damaged, or another run's: refused, the file untouched.
  const std::string p = interrupted_run(s, dir, "p.h5");
  auto pi0 = H5File::open_read(p).read_bytes("/checkpoints/initial");
  pi0[pi0.size() / 3] ^= 4;
  overwrite_blob(p, "/checkpoints/initial", pi0);
  expect_refusal({"run", "--resume", p, "--set", "iterations=9"}, p,
                 {"--resume", "pi_0", "damaged"}, dir);
  const std::string q = interrupted_run(s, dir, "q.h5");
  copy_blob(other, q, "/checkpoints/initial");
  expect_refusal({"run", "--resume", q, "--set", "iterations=9"}, q,
                 {"--resume", "pi_0", "another run"}, dir);
}
