// Sweeps and summaries: grid expansion, names, validation before any work,
// the manifest and its links, resuming, refusing a changed grid, recording
// failed runs; random search (its draws, growth and refusals); the
// summary's grouping and confidence intervals.
#define BOOST_TEST_MODULE sweep
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <thread>

#include "analysis/summary.h"
#include "core/resources.h"
#include "runfile/run_layout.h"
#include "sweep/random_search.h"
#include "sweep/sweep.h"
#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;
namespace fs = std::filesystem;

namespace {
const Settings kSmall = {{"task.contexts", "4"},
                         {"task.arms", "8"},
                         {"sampler.prompts", "32"},
                         {"sampler.k", "4"},
                         {"iterations", "4"}};

std::string small_ini(const TempDir& dir) {
  const std::string ini = dir.file("base.ini");
  std::ofstream out(ini);
  out << "iterations = 4\n[task]\ncontexts = 4\narms = 8\n[sampler]\nprompts = 32\nk = "
         "4\n";
  return ini;
}
}  // namespace

BOOST_AUTO_TEST_CASE(grid_expands_row_major_with_zipped_axes) {
  SweepSpec spec;
  spec.axes.push_back(parse_axis({"sampler.k=2,4"}));
  spec.axes.push_back(parse_axis({"sampler.prompts=16,32,64", "sampler.chunk=4,8,16"}));
  spec.axes.push_back(seed_axis(5, 2));
  const auto points = expand(spec, kSmall);
  BOOST_TEST(points.size() == 2u * 3u * 2u);
  BOOST_TEST(points[0].name == "sampler.k=2_sampler.prompts=16_sampler.chunk=4_seed=5");
  BOOST_TEST(points[1].config.seed == 6u);
  BOOST_TEST(points[2].config.sampler.prompts == 32);
  BOOST_TEST(points[2].config.sampler.chunk == 8);
  BOOST_TEST(points.back().config.sampler.k == 4);
  BOOST_TEST(points.back().config.sampler.prompts == 64);
}

BOOST_AUTO_TEST_CASE(bad_grids_are_refused_before_any_work) {
  BOOST_CHECK_THROW(parse_axis({"sampler.k"}), ConfigError);
  BOOST_CHECK_THROW(parse_axis({"sampler.kk=1,2"}), ConfigError);
  BOOST_CHECK_THROW(parse_axis({"sampler.k=1,2", "sampler.prompts=1,2,3"}),
                    ConfigError);
  // Empty values: a comma at either end, or two together.
  for (const char* bad : {"sampler.k=2,", "sampler.k=,2", "sampler.k=2,,4"})
    BOOST_CHECK_THROW(parse_axis({bad}), ConfigError);
  // Values that parse to one setting are one point, not two replicates.
  SweepSpec same;
  same.axes.push_back(parse_axis({"sampler.k=4,04"}));
  BOOST_CHECK_EXCEPTION(expand(same, kSmall), ConfigError, [](const ConfigError& e) {
    return e.key() == "--grid" &&
           std::string(e.what()).find("same configuration") != std::string::npos;
  });
  SweepSpec spec;
  spec.axes.push_back(parse_axis({"sampler.k=2,0"}));
  try {
    expand(spec, kSmall);
    BOOST_FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.key() == "sampler.k");
    BOOST_TEST(e.value() == "0");
  }
}

BOOST_AUTO_TEST_CASE(random_search_draws_reproducibly_within_its_space) {
  const std::vector<SpaceDimension> space = {
      parse_space("trainer.learning_rate=log:1e-4:1e-1"),
      parse_space("sampler.k=int:2:5"),
      parse_space("ranker.strategy=choice:best_of_k,top_fraction"),
      parse_space("reward.noise_scale=lin:0:1")};
  const int n = 4000;
  const GridAxis axis = sample_axis(space, n, 7);
  BOOST_TEST(axis.index_name == "sample");
  BOOST_TEST_REQUIRE(axis.levels.size() == static_cast<size_t>(n));
  // The same seed draws the same values; a larger n keeps the first draws.
  BOOST_TEST((sample_axis(space, n, 7).levels == axis.levels));
  const GridAxis first = sample_axis(space, 10, 7);
  BOOST_TEST((std::vector<std::vector<std::string>>(
                  axis.levels.begin(), axis.levels.begin() + 10) == first.levels));
  BOOST_TEST((sample_axis(space, 10, 8).levels != first.levels));
  // Each dimension within its range, and uniform where it should be: the
  // mean of log10(lr) is -2.5 and of the linear one 0.5, each within 4
  // standard errors of the mean of n uniform draws (fixed seed).
  double log_sum = 0, lin_sum = 0;
  std::map<std::string, int> ks, strategies;
  for (const auto& level : axis.levels) {
    const double lr = std::stod(level[0]), lin = std::stod(level[3]);
    BOOST_TEST_REQUIRE((lr >= 1e-4 && lr <= 1e-1));
    BOOST_TEST_REQUIRE((lin >= 0 && lin <= 1));
    log_sum += std::log10(lr);
    lin_sum += lin;
    ++ks[level[1]];
    ++strategies[level[2]];
  }
  const double se_log = 3 / std::sqrt(12.0 * n), se_lin = 1 / std::sqrt(12.0 * n);
  BOOST_TEST(std::fabs(log_sum / n + 2.5) < 4 * se_log);
  BOOST_TEST(std::fabs(lin_sum / n - 0.5) < 4 * se_lin);
  BOOST_TEST(ks.size() == 4u);  // 2, 3, 4, 5 and nothing else
  for (const auto& [k, count] : ks) {
    BOOST_TEST((k == "2" || k == "3" || k == "4" || k == "5"), k);
    // Binomial(n, 1/4): within 4 standard deviations of n / 4.
    BOOST_TEST(std::fabs(count - n / 4.0) < 4 * std::sqrt(n * 0.25 * 0.75));
  }
  BOOST_TEST(strategies.size() == 2u);
  // Bad spaces are refused naming --space.
  for (const char* bad : {"trainer.learning_rate", "trainer.learning_rate=log:0:1",
                          "trainer.learning_rate=log:1e-2:1e-3", "sampler.k=int:1.5:4",
                          "sampler.k=exp:1:2", "nope.key=lin:0:1",
                          "ranker.strategy=choice:a,,b", "sampler.k=lin:1:x"})
    BOOST_CHECK_EXCEPTION(parse_space(bad), ConfigError,
                          [](const ConfigError& e) { return e.key() == "--space"; });
  BOOST_CHECK_THROW(sample_axis({space[0], space[0]}, 2, 1), ConfigError);
  BOOST_CHECK_THROW(sample_axis(space, 0, 1), ConfigError);
}

BOOST_AUTO_TEST_CASE(a_random_search_runs_named_by_index_and_grows) {
  TempDir dir;
  const std::string ini = small_ini(dir), out = dir.file("search");
  std::vector<std::string> cmd = {"sweep",
                                  "--config",
                                  ini,
                                  "--sample",
                                  "3",
                                  "--space",
                                  "trainer.learning_rate=log:1e-3:1e-1",
                                  "--space",
                                  "sampler.k=int:2:6",
                                  "--out",
                                  out,
                                  "--jobs",
                                  "2"};
  ProcessResult r = run_raftsim(cmd, dir);
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "complete=3"), r.output);
  H5File m = H5File::open_read(out + "/sweep.h5");
  BOOST_TEST((m.read_strings("/table/name") ==
              std::vector<std::string>{"sample=0", "sample=1", "sample=2"}));
  // The drawn values are recorded like grid values, and are what ran.
  const auto drawn = sample_axis({parse_space("trainer.learning_rate=log:1e-3:1e-1"),
                                  parse_space("sampler.k=int:2:6")},
                                 3, 1);
  const auto lrs = m.read_strings("/table/trainer.learning_rate");
  const auto ks = m.read_strings("/table/sampler.k");
  for (size_t i = 0; i < 3; ++i) {
    BOOST_TEST(lrs[i] == drawn.levels[i][0]);
    BOOST_TEST(ks[i] == drawn.levels[i][1]);
    BOOST_TEST(RunReader(out + "/sample=" + std::to_string(i) + ".h5")
                   .config()
                   .at("sampler.k") == ks[i]);
  }
  // More draws run only the new ones; another space is refused, naming why.
  std::vector<std::string> grown = cmd;
  grown[4] = "5";
  r = run_raftsim(grown, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "runs=5  complete=2  skipped=3"), r.output);
  std::vector<std::string> changed = grown;
  changed[6] = "trainer.learning_rate=log:1e-4:1e-1";
  r = run_raftsim(changed, dir);
  BOOST_TEST(r.exit_code == 2, r.output);
  BOOST_TEST(contains(r.output, "sample=0 has runs there drawn with other values"),
             r.output);
  r = run_raftsim({"sweep", "--config", ini, "--space", "sampler.k=int:2:6", "--out",
                   dir.file("x")},
                  dir);
  BOOST_TEST(r.exit_code == 2, r.output);
  BOOST_TEST(contains(r.output, "--space"), r.output);
}

BOOST_AUTO_TEST_CASE(sweep_runs_records_resumes_and_refuses_changes) {
  TempDir dir;
  const std::string ini = small_ini(dir), out = dir.file("sweep");
  std::vector<std::string> cmd = {
      "sweep", "--config", ini,      "--grid", "sampler.k=2,4", "--seeds", "2",
      "--out", out,        "--jobs", "2"};
  ProcessResult r = run_raftsim(cmd, dir);
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "complete=4"));
  H5File m = H5File::open_read(out + "/sweep.h5");
  BOOST_TEST(
      (m.read_strings("/table/status") == std::vector<std::string>(4, "complete")));
  BOOST_TEST((m.read_strings("/table/sampler.k") ==
              std::vector<std::string>{"2", "2", "4", "4"}));
  // actors.generators = auto: each of the 2 workers counts half the cores.
  for (const auto& entry : fs::directory_iterator(out)) {
    if (entry.path().filename() == "sweep.h5" || entry.path().extension() != ".h5")
      continue;
    BOOST_TEST(H5File::open_read(entry.path().string()).int_attribute("generators") ==
               std::max(1, available_cores() / 2));
  }
  BOOST_TEST(
      (m.read_strings("/table/seed") == std::vector<std::string>{"1", "2", "1", "2"}));
  // The external links reach each run's root.
  const auto names = m.read_strings("/table/name");
  BOOST_TEST(m.read("/runs/" + names[3] + "/metrics/gold_reward_mean").size() == 4u);
  BOOST_TEST(H5File::open_read(out + "/" + names[3] + ".h5").int_attribute("seed") ==
             2);

  // Rerun: nothing to do. Remove a run: only it is redone.
  r = run_raftsim(cmd, dir);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(contains(r.output, "complete=0  skipped=4"));
  fs::remove(out + "/" + names[1] + ".h5");
  r = run_raftsim(cmd, dir);
  BOOST_TEST(contains(r.output, "complete=1  skipped=3"), r.output);

  // It grows: another seed and another value of K run only the new points
  // (2 x 3 - 4 existing), and leave the existing files as they were.
  const auto before = fs::last_write_time(out + "/" + names[0] + ".h5");
  std::vector<std::string> grown = cmd;
  grown[4] = "sampler.k=2,4,8";
  grown[6] = "3";
  r = run_raftsim(grown, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "runs=9  complete=5  skipped=4"), r.output);
  BOOST_TEST((fs::last_write_time(out + "/" + names[0] + ".h5") == before));
  BOOST_TEST(
      H5File::open_read(out + "/sweep.h5").read_strings("/table/status").size() == 9u);

  // A value with runs dropped, or a changed base key, is bad input unless
  // --overwrite, naming each difference.
  std::vector<std::string> changed = grown;
  changed[4] = "sampler.k=2,8";
  r = run_raftsim(changed, dir);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.output, "--overwrite"));
  BOOST_TEST(contains(r.output, "sampler.k = 4 has runs there"), r.output);
  changed = grown;
  changed.insert(changed.end(),
                 {"--set", "trainer.epochs=3", "--set", "sampler.prompts=7"});
  r = run_raftsim(changed, dir);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.output, "trainer.epochs = "), r.output);
  BOOST_TEST(contains(r.output, "sampler.prompts = "), r.output);
  changed = cmd;
  changed[4] = "sampler.k=2,8";
  changed.push_back("--overwrite");
  r = run_raftsim(changed, dir);
  BOOST_TEST(r.exit_code == 0, r.output);

  // Summaries group the seeds of each point.
  const auto points = summarize_runs(collect_run_files({out})).points;
  BOOST_TEST(points.size() >= 2u);
  for (const auto& p : points) BOOST_TEST(p.runs == 2);
  r = run_raftsim({"summarize", out, "--format", "csv"}, dir);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(contains(r.output, "sampler.k,runs,final_gold_mean"));
}

BOOST_AUTO_TEST_CASE(two_sweeps_of_one_base_merge_into_one) {
  TempDir dir;
  const std::string ini = small_ini(dir);
  const auto sweep = [&](const std::string& out, const std::string& k,
                         std::vector<std::string> more = {}) {
    std::vector<std::string> cmd = {
        "sweep", "--config", ini,      "--grid", "sampler.k=" + k, "--seeds", "2",
        "--out", out,        "--jobs", "2"};
    cmd.insert(cmd.end(), more.begin(), more.end());
    return run_raftsim(cmd, dir);
  };
  BOOST_TEST_REQUIRE(sweep(dir.file("a"), "2").exit_code == 0);
  BOOST_TEST_REQUIRE(sweep(dir.file("b"), "4").exit_code == 0);
  ProcessResult r = run_raftsim(
      {"sweep", "--merge", dir.file("a"), dir.file("b"), "--out", dir.file("c")}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "points=4  runs=4  not run=0"), r.output);
  H5File m = H5File::open_read(dir.file("c/sweep.h5"));
  BOOST_TEST((m.read_strings("/table/sampler.k") ==
              std::vector<std::string>{"2", "2", "4", "4"}));
  BOOST_TEST(
      (m.read_strings("/table/status") == std::vector<std::string>(4, "complete")));
  const auto points = summarize_runs(collect_run_files({dir.file("c")})).points;
  BOOST_TEST(points.size() == 2u);
  // The joined sweep is a sweep: its own grid reruns nothing, and grows.
  r = sweep(dir.file("c"), "2,4");
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "skipped=4"), r.output);
  // Another base is refused, naming the key.
  BOOST_TEST_REQUIRE(
      sweep(dir.file("d"), "8", {"--set", "trainer.epochs=3"}).exit_code == 0);
  r = run_raftsim(
      {"sweep", "--merge", dir.file("a"), dir.file("d"), "--out", dir.file("e")}, dir);
  BOOST_TEST(r.exit_code == 2, r.output);
  BOOST_TEST(contains(r.output, "trainer.epochs = "), r.output);
}

BOOST_AUTO_TEST_CASE(a_failing_run_is_recorded_and_the_sweep_goes_on) {
  TempDir dir;
  const std::string ini = small_ini(dir), out = dir.file("sweep");
  const ProcessResult r =
      run_raftsim({"sweep", "--config", ini, "--grid", "faults.crash_times=0,5",
                   "--set", "faults.generator_crash=1:0", "--out", out, "--jobs", "1"},
                  dir);
  BOOST_TEST(r.exit_code == 1, r.output);
  BOOST_TEST(contains(r.output, "complete=1"));
  BOOST_TEST(contains(r.output, "failed=1"));
  H5File m = H5File::open_read(out + "/sweep.h5");
  BOOST_TEST((m.read_strings("/table/status") ==
              std::vector<std::string>{"complete", "failed"}));
}

BOOST_AUTO_TEST_CASE(a_point_that_kills_its_worker_fails_alone) {
  // The first point kills its worker process (SIGKILL, as the OOM killer
  // would); it is recorded as failed with that status, and the next point
  // runs in a new worker and completes.
  TempDir dir;
  const std::string ini = small_ini(dir), out = dir.file("sweep");
  const ProcessResult r = run_raftsim(
      {"sweep", "--config", ini, "--grid",
       "faults.signal=KILL@sample:1,KILL@sample:999999", "--out", out, "--jobs", "1"},
      dir);
  BOOST_TEST(r.exit_code == 1, r.output);
  H5File m = H5File::open_read(out + "/sweep.h5");
  BOOST_TEST((m.read_strings("/table/status") ==
              std::vector<std::string>{"failed", "complete"}));
  std::ifstream log(out + "/logs/faults.signal=KILL-sample-1.log");
  const std::string text((std::istreambuf_iterator<char>(log)),
                         std::istreambuf_iterator<char>());
  BOOST_TEST(contains(text, "ended with status 137"), text);
}

BOOST_AUTO_TEST_CASE(confidence_intervals_use_student_t) {
  const Estimate e = estimate({1.0, 2.0, 3.0});
  BOOST_TEST(e.mean == 2.0);
  // t(0.975, 2) = 4.30265273 (exact, not the 3-decimal table value).
  BOOST_TEST(e.ci95 == 4.30265273 / std::sqrt(3.0), boost::test_tools::tolerance(1e-8));
  BOOST_TEST(estimate({5.0}).ci95 == 0.0);
  BOOST_TEST(t975(1000) == 1.96, boost::test_tools::tolerance(0.01));
}

BOOST_AUTO_TEST_CASE(an_interrupted_sweep_starts_no_new_run_and_exits_130) {
  TempDir dir;
  const std::string ini = small_ini(dir), out = dir.file("sweep");
  // The first run stops itself after its second row; then the sweep alone
  // is interrupted: it passes the interrupt on to the running child (as a
  // Ctrl-C to the terminal's process group would), which finishes its
  // iterations in flight and stops; no other run starts.
  const pid_t pid = spawn_raftsim(
      {"sweep", "--config", ini, "--set", "iterations=3000", "--set",
       "faults.signal=STOP@row:1", "--grid", "seed=1,2,3", "--out", out, "--jobs", "1"},
      dir.file("log"));
  BOOST_TEST_REQUIRE(wait_for_stopped_descendant(pid, std::chrono::seconds(300)) != 0,
                     read_text(dir.file("log")));
  kill(pid, SIGINT);
  for (pid_t p : descendants(pid)) kill(p, SIGCONT);
  BOOST_TEST(wait_exit(pid) == 130);
  H5File m = H5File::open_read(out + "/sweep.h5");
  BOOST_TEST((m.read_strings("/table/status") ==
              std::vector<std::string>{"interrupted", "not run", "not run"}));
  BOOST_TEST(!fs::exists(out + "/seed=2.h5"));
}
