// Readers of many run files (raftsim summarize, analysis/plot.py,
// raftsim.tidy) meet bad files: each is reported in one line that names
// it, and the rest are summarized. Never an abort.
#define BOOST_TEST_MODULE readers
#include <sys/stat.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "analysis/comparison.h"
#include "analysis/flop_count.h"
#include "analysis/summary.h"
#include "core/subprocess.h"
#include "runfile/run_layout.h"
#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;
namespace fs = std::filesystem;

namespace {

const Settings kSmall = {{"task.contexts", "4"},    {"task.arms", "8"},
                         {"sampler.prompts", "16"}, {"sampler.k", "4"},
                         {"sampler.chunk", "8"},    {"iterations", "3"}};

// A directory with two good runs (seeds 1, 2) and the three kinds of bad
// file; returns the bad files' names.
std::vector<std::string> make_directory(const TempDir& dir) {
  const std::string d = dir.file("runs");
  fs::create_directories(d);
  for (const char* seed : {"1", "2"})
    BOOST_REQUIRE(
        run(joined(kSmall, {{"seed", seed}}), d + "/good" + seed + ".h5").status ==
        RunStatus::kComplete);
  // Interrupted before its first row: header, no /metrics.
  std::atomic<bool> stop{true};
  RunOptions opts;
  opts.out_path = d + "/norows.h5";
  opts.quiet = true;
  opts.interrupt = &stop;
  BOOST_REQUIRE(run_experiment(make_run_config(kSmall), opts).status ==
                RunStatus::kInterrupted);
  BOOST_REQUIRE(RunReader(opts.out_path).rows() == 0u);
  // Truncated: the first half of a good file.
  fs::copy_file(d + "/good1.h5", d + "/truncated.h5");
  fs::resize_file(d + "/truncated.h5", fs::file_size(d + "/good1.h5") / 2);
  // Not HDF5 at all.
  std::ofstream(d + "/notes.h5") << "not an HDF5 file\n";
  return {"norows.h5", "truncated.h5", "notes.h5"};
}

int count(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + 1))
    ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(summarize_reports_each_bad_file_and_summarizes_the_rest) {
  TempDir dir;
  const auto bad = make_directory(dir);
  const ProcessResult r = run_raftsim({"summarize", dir.file("runs")}, dir);
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_code == 0);
  for (const auto& name : bad)
    BOOST_TEST(count(r.output, "skipped " + dir.file("runs") + "/" + name) == 1, name);
  BOOST_TEST(count(r.output, "skipped") == 3);
  // The two good runs form one point of two seeds.
  BOOST_TEST(contains(r.output, "(all runs)     2"));
}

BOOST_AUTO_TEST_CASE(summarize_fails_clearly_when_no_file_has_rows) {
  TempDir dir;
  make_directory(dir);
  for (const char* good : {"good1.h5", "good2.h5"})
    fs::remove(dir.file("runs") + "/" + good);
  const ProcessResult r = run_raftsim({"summarize", dir.file("runs")}, dir);
  BOOST_TEST(r.exit_code == 1, r.output);
  BOOST_TEST(contains(r.output, "no complete run with rows"));
}

BOOST_AUTO_TEST_CASE(an_incomplete_run_is_not_averaged_with_complete_seeds) {
  TempDir dir;
  make_directory(dir);
  const std::string d = dir.file("runs");
  std::atomic<bool> stop{false};
  RunOptions opts;
  opts.out_path = d + "/short.h5";
  opts.quiet = true;
  BOOST_REQUIRE(
      run_experiment(make_run_config(joined(kSmall, {{"seed", "3"}})), opts).status ==
      RunStatus::kComplete);
  H5File::open_write(opts.out_path).set_attribute("status", "failed");
  const ProcessResult r = run_raftsim({"summarize", d}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "short.h5: status failed with 3 rows"), r.output);
  BOOST_TEST(contains(r.output, "(all runs)     2"), r.output);
}

BOOST_AUTO_TEST_CASE(a_file_named_twice_is_one_run) {
  TempDir dir;
  make_directory(dir);
  const std::string good = dir.file("runs") + "/good1.h5";
  const ProcessResult r = run_raftsim({"summarize", good, good}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "(all runs)     1"), r.output);
}

BOOST_AUTO_TEST_CASE(a_column_of_another_length_is_skipped_not_indexed) {
  // A shortened /metrics column was indexed out of range by summarize.
  TempDir dir;
  make_directory(dir);
  const std::string f = dir.file("short.h5");
  fs::copy_file(dir.file("runs") + "/good1.h5", f);
  H5File::open_write(f).truncate("/metrics/kl_to_initial", 1);
  const ProcessResult r = run_raftsim({"summarize", f}, dir);
  BOOST_TEST(r.exit_code == 1, r.output);
  BOOST_TEST(contains(r.output, "kl_to_initial is not a column of 3 rows"), r.output);
}

BOOST_AUTO_TEST_CASE(one_seed_has_no_interval_and_tidy_reads_one_run_file) {
  TempDir dir;
  make_directory(dir);
  const std::string good = dir.file("runs") + "/good1.h5";
  const ProcessResult r = run_raftsim({"summarize", good}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "± n/a"), r.output);
  BOOST_TEST(!contains(r.output, "± 0.0000"), r.output);
  // raftsim.tidy on a single run file: one row per iteration, its config as
  // columns, and no pandas deprecation warning.
  const std::string log = dir.file("tidy.log");
  const ChildExit e =
      wait_child(start_child("/usr/bin/python3",
                             {"-W", "error::FutureWarning", "-m", "raftsim.tidy", good,
                              "--csv", dir.file("t.csv")},
                             log));
  BOOST_TEST(e.code == 0, read_text(log));
  BOOST_TEST(contains(read_text(log), "3 rows x"), read_text(log));
  BOOST_TEST(contains(read_text(dir.file("t.csv")), "sampler.k"));
}

BOOST_AUTO_TEST_CASE(a_fifo_is_skipped_not_waited_on) {
  // HDF5 blocks for ever opening a FIFO; summarize hung on one.
  TempDir dir;
  const std::string fifo = dir.file("pipe.h5");
  BOOST_REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const ProcessResult r = run_raftsim({"summarize", fifo}, dir);
  BOOST_TEST(r.exit_code == 1, r.output);
  BOOST_TEST(contains(r.output, "not a regular file"), r.output);
}

BOOST_AUTO_TEST_CASE(a_summary_that_cannot_be_written_fails) {
  // stdout on /dev/full: it used to exit 0 with nothing written.
  TempDir dir;
  make_directory(dir);
  const std::string log = dir.file("full.log");
  const ChildExit e =
      wait_child(start_child("/bin/sh",
                             {"-c", "exec \"$0\" \"$@\" >/dev/full", raftsim_bin(),
                              "summarize", dir.file("runs") + "/good1.h5"},
                             log));
  BOOST_TEST(e.code == 1, read_text(log));
  BOOST_TEST(contains(read_text(log), "cannot write the summary"), read_text(log));
}

BOOST_AUTO_TEST_CASE(plot_reports_each_bad_file_and_plots_the_rest) {
  TempDir dir;
  const auto bad = make_directory(dir);
  const std::string log = dir.file("plot.log");
  const ChildExit e = wait_child(start_child(
      "/usr/bin/python3",
      {source_dir() + "/analysis/plot.py", dir.file("runs"), "--out", dir.file("figs")},
      log));
  const std::string out = read_text(log);
  BOOST_TEST_INFO(out);
  BOOST_TEST(e.code == 0);
  for (const auto& name : bad)
    BOOST_TEST(count(out, "skipped " + dir.file("runs") + "/" + name) == 1, name);
  BOOST_TEST(count(out, "Traceback") == 0);
  BOOST_TEST(fs::exists(dir.file("figs") + "/raftsim_curves.png"));
}

BOOST_AUTO_TEST_CASE(plot_scripts_end_in_one_line_on_odd_files_and_paths) {
  // Each of these raised a Python traceback (or hung, on a FIFO).
  TempDir dir;
  make_directory(dir);
  const std::string d = dir.file("odd");
  fs::create_directories(d);
  const std::string good = dir.file("runs") + "/good1.h5";
  // A group where a column should be; a text column; a column missing.
  for (const char* name : {"group", "text", "missing"}) {
    const std::string f = d + "/" + name + ".h5";
    fs::copy_file(good, f);
    H5File h = H5File::open_write(f);
    h.remove("/metrics/kl_to_initial");
    if (std::string(name) == "group") h.create_group("/metrics/kl_to_initial");
    if (std::string(name) == "text")
      h.write_strings("/metrics/kl_to_initial", {"a", "b", "c"});
  }
  BOOST_REQUIRE(mkfifo((d + "/pipe.h5").c_str(), 0600) == 0);
  std::ofstream(dir.file("a_file")) << "not a directory";
  const auto python = [&](const std::vector<std::string>& args) {
    const std::string log = dir.file("py.log");
    const ChildExit e = wait_child(start_child("/usr/bin/python3", args, log));
    return std::make_pair(e.code, read_text(log));
  };
  // Every odd file is skipped in one line; the good runs are still plotted.
  auto [code, out] =
      python({source_dir() + "/analysis/plot.py", d, good, "--out", dir.file("figs")});
  BOOST_TEST(code == 0, out);
  for (const char* name : {"group", "text", "missing", "pipe"})
    BOOST_TEST(count(out, "skipped " + d + "/" + name + ".h5") == 1,
               name << ": " << out);
  BOOST_TEST(count(out, "Traceback") == 0, out);
  // An output path that is a file.
  std::tie(code, out) =
      python({source_dir() + "/analysis/plot.py", good, "--out", dir.file("a_file")});
  BOOST_TEST(code == 2, out);
  BOOST_TEST(count(out, "Traceback") == 0, out);
  // points_plot.py: a context out of range, a run that is no points run.
  const std::string points = dir.file("points.h5");
  BOOST_REQUIRE(run({{"task.name", "points"},
                     {"task.objective", "direction"},
                     {"policy.model", "diffusion"},
                     {"policy.warmup_steps", "100"},
                     {"trainer.learning_rate", "0.001"},
                     {"task.contexts", "2"},
                     {"sampler.prompts", "8"},
                     {"sampler.k", "4"},
                     {"sampler.chunk", "8"},
                     {"iterations", "1"},
                     {"log.samples", "true"}},
                    points)
                    .status == RunStatus::kComplete);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {points, "--context", "7", "--out", dir.file("p.png")},
           {points, "--context", "-1", "--out", dir.file("p.png")},
           {good, "--out", dir.file("p.png")},
           {d + "/pipe.h5", "--out", dir.file("p.png")}}) {
    std::vector<std::string> full = {source_dir() + "/analysis/points_plot.py"};
    full.insert(full.end(), args.begin(), args.end());
    std::tie(code, out) = python(full);
    BOOST_TEST(code == 2, args[0] << ": " << out);
    BOOST_TEST(count(out, "Traceback") == 0, out);
    BOOST_TEST(std::count(out.begin(), out.end(), '\n') == 1, out);
  }
  std::tie(code, out) = python({source_dir() + "/analysis/points_plot.py", points,
                                "--context", "1", "--out", dir.file("p.png")});
  BOOST_TEST(code == 0, out);
}

BOOST_AUTO_TEST_CASE(summarize_compares_points_seed_by_seed) {
  // K = 2 and K = 8 on seeds 1..4, plus a K = 8 run on seed 9 that has no
  // partner: the comparison pairs the four shared seeds only.
  TempDir dir;
  const std::string d = dir.file("runs");
  fs::create_directories(d);
  for (const char* k : {"2", "8"})
    for (const char* seed : {"1", "2", "3", "4"})
      BOOST_REQUIRE(run(joined(kSmall, {{"sampler.k", k}, {"seed", seed}}),
                        d + "/k" + k + "-" + seed + ".h5")
                        .status == RunStatus::kComplete);
  BOOST_REQUIRE(
      run(joined(kSmall, {{"sampler.k", "8"}, {"seed", "9"}}), d + "/k8-9.h5").status ==
      RunStatus::kComplete);
  const RunSummary s = summarize_runs(collect_run_files({d}));
  BOOST_REQUIRE(s.points.size() == 2u);
  const auto c = compare_points(s.points, "sampler.k", "2", {"final_gold"});
  BOOST_REQUIRE(c.size() == 1u);
  BOOST_TEST(c[0].value == "8");
  BOOST_TEST(c[0].paired.n == 4);
  // The paired difference is the mean of per-seed differences, by hand.
  double by_hand = 0;
  for (const char* seed : {"1", "2", "3", "4"})
    by_hand += (metric(d + "/k8-" + seed + ".h5", "gold_reward_mean").back() -
                metric(d + "/k2-" + seed + ".h5", "gold_reward_mean").back()) /
               4;
  BOOST_TEST(c[0].paired.mean_t.estimate == by_hand,
             boost::test_tools::tolerance(1e-12));
  // Through the program: a table, and a clear refusal of an unknown key.
  ProcessResult r = run_raftsim({"summarize", d, "--compare", "sampler.k=2"}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(contains(r.output, "sampler.k=8 vs 2"), r.output);
  BOOST_TEST(contains(r.output, "wilcoxon"), r.output);
  // The baseline matches by its number, however it is typed ("2e0", "2.0").
  const std::string typed_as_stored = r.output;
  for (const char* typed : {"sampler.k=2e0", "sampler.k=2.0"}) {
    const ProcessResult again = run_raftsim({"summarize", d, "--compare", typed}, dir);
    BOOST_TEST(again.exit_code == 0, again.output);
    BOOST_TEST(again.output == typed_as_stored, typed);
  }
  r = run_raftsim({"summarize", d, "--compare", "sampler.q=2"}, dir);
  BOOST_TEST(r.exit_code == 2, r.output);
  BOOST_TEST(contains(r.output, "--compare"), r.output);
}

// A protocol file declares the comparison, its test, its primary measure
// and the budgets held equal; summarize applies it as the options would, says so, and
// refuses runs that differ in a declared budget (here K = 2 and 8 at 16 prompts differ
// in samples, and share 3 optimiser steps per iteration).
BOOST_AUTO_TEST_CASE(a_protocol_declares_the_comparison_and_holds_its_budget) {
  TempDir dir;
  const std::string d = dir.file("runs");
  fs::create_directories(d);
  for (const char* k : {"2", "8"})
    for (const char* seed : {"1", "2", "3"})
      BOOST_REQUIRE(run(joined(kSmall, {{"sampler.k", k},
                                        {"seed", seed},
                                        {"trainer.steps_per_iteration", "3"}}),
                        d + "/k" + k + "-" + seed + ".h5")
                        .status == RunStatus::kComplete);
  for (double steps : metric(d + "/k8-1.h5", "optimizer_steps")) BOOST_TEST(steps == 3);
  const std::string steps = dir.file("steps.ini"), samples = dir.file("samples.ini");
  std::ofstream(steps) << "[protocol]\ncompare = sampler.k=2\ntest = t\n"
                          "primary = fall\nequal = optimizer_steps\n";
  std::ofstream(samples) << "[protocol]\ncompare = sampler.k=2\ntest = t\n"
                            "equal = optimizer_steps, samples\n";
  ProcessResult r = run_raftsim({"summarize", d, "--protocol", steps}, dir);
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(
      contains(r.output, "# protocol " + steps + ": compare sampler.k=2, test t"),
      r.output);
  BOOST_TEST(
      contains(r.output, "# equal in every run: optimizer_steps = 3 per iteration"),
      r.output);
  BOOST_TEST(contains(r.output, "# primary measure: fall (declared before the runs"),
             r.output);
  // The rest is what the options give.
  const ProcessResult options =
      run_raftsim({"summarize", d, "--compare", "sampler.k=2", "--test", "t"}, dir);
  BOOST_TEST(contains(r.output, options.output), options.output);
  r = run_raftsim({"summarize", d, "--protocol", samples}, dir);
  BOOST_TEST(r.exit_code == 2, r.output);
  BOOST_TEST(contains(r.output, "protocol.equal = 'samples'"), r.output);
  BOOST_TEST(contains(r.output, "samples is 32 per iteration"), r.output);
  r = run_raftsim({"summarize", d, "--protocol", steps, "--compare", "sampler.k=8"},
                  dir);
  BOOST_TEST(r.exit_code == 2, r.output);
  BOOST_TEST(contains(r.output, "--compare = 'sampler.k=8'"), r.output);
}

// The FLOPs of an iteration follow the trainer: a policy gradient over a
// diffusion chain evaluates the model once per recorded step (T - 1) of each
// row, on trainer.ppo_epochs passes; SFT once per row on trainer.epochs
// passes, or on the passes trainer.steps_per_iteration makes.
BOOST_AUTO_TEST_CASE(iteration_flops_follow_the_trainer) {
  const Settings points = {{"task.name", "points"},
                           {"task.objective", "direction"},
                           {"policy.model", "diffusion"},
                           {"policy.diffusion_steps", "50"},
                           {"trainer.epochs", "2"}};
  const double rows = 512;
  const StageFlops sft = iteration_flops(make_run_config(points), rows);
  const StageFlops ddpo = iteration_flops(
      make_run_config(joined(points, {{"trainer.algorithm", "ddpo"}})), rows);
  BOOST_TEST(sft.counted);
  BOOST_TEST(ddpo.sampling == sft.sampling);
  // 49 steps per row, 1 pass against 2.
  BOOST_TEST(ddpo.training == sft.training * 49 / 2,
             boost::test_tools::tolerance(1e-12));
  const StageFlops fixed = iteration_flops(
      make_run_config(joined(points, {{"trainer.steps_per_iteration", "16"},
                                      {"trainer.batch_size", "64"}})),
      rows);
  // 16 steps of 64 rows over 512 rows: 2 passes, as trainer.epochs = 2.
  BOOST_TEST(fixed.training == sft.training, boost::test_tools::tolerance(1e-12));
}
