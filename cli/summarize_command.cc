// raftsim summarize: per grid point, over seeds, the final and peak gold
// reward, iteration and KL at the peak, proxy-gold gap (analysis/summary.h).
#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <tuple>

#include "analysis/budget.h"
#include "analysis/comparison.h"
#include "analysis/grid_edges.h"
#include "analysis/summary.h"
#include "analysis/tuning.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/protocol_file.h"
#include "core/config.h"

namespace po = boost::program_options;

namespace raftsim::cli {

namespace {

// Writes `text` to stdout; a summary that could not be written (a full
// disk, a closed pipe, /dev/full) is a failure, said in one line.
int written(const std::string& text) {
  std::cout << text << std::flush;
  if (std::cout) return to_int(ExitStatus::kOk);
  std::cerr << "raftsim summarize: cannot write the summary to standard output\n";
  return to_int(ExitStatus::kFailure);
}

}  // namespace

int summarize_command(const std::vector<std::string>& args) {
  std::vector<std::string> inputs;
  std::string format = "table", compare, metric, test, tune, tuning_seeds,
              protocol_path;
  double fraction = 0.9;
  po::options_description opts(
      "raftsim summarize: per grid point (runs grouped by config without the seed), "
      "over seeds:\n"
      "final and peak gold reward, iteration and KL at the peak, proxy-gold gap at the "
      "end;\n"
      "mean ± 95% confidence half-width.\n\n"
      "Usage: raftsim summarize DIR_OR_FILES... [--format table|csv] [--compare "
      "KEY=BASELINE]\n"
      "                         [--metric NAME [--fraction F]] [--test T]\n"
      "                         [--tune KEY --tuning-seeds LIST]\n"
      "       raftsim summarize DIR_OR_FILES... --protocol FILE [--format "
      "table|csv]\n\n"
      "--protocol reads what a study declared before its runs ([protocol] compare, "
      "test,\nmetric, primary, tune, tuning_seeds, equal) and applies it as the "
      "options would; the\nheader names the primary measure; with equal = "
      "optimizer_steps and/or samples it\nrefuses runs that differ in that budget "
      "per iteration.\n\n"
      "--metric summarizes any /metrics column instead (eval_gold_mean, "
      "kl_to_initial, ...):\nits final and peak value, its mean over the run (auc) "
      "and the first iteration it\nreaches start + F x (best point's final - start), "
      "F = --fraction (0.9); with\n--compare, the paired differences of those.\n\n"
      "--test names the one test a study declared before its runs; each comparison "
      "then\ncarries that test's p-value and its Holm adjustment over the "
      "comparisons of its metric\n(the family), so that many comparisons do not "
      "make a chance difference look real.\n\n"
      "--tune KEY --tuning-seeds LIST chooses, for every arm (the points that agree "
      "on every\nother key), the value of KEY with the best mean final value on the "
      "tuning seeds, and\ncompares the chosen points on the other seeds only: a "
      "winner picked and scored on the\nsame seeds is biased upward.\n\n"
      "--compare pairs every point with the point that differs from it only in KEY "
      "(KEY =\nBASELINE), seed by seed, and reports the paired difference of final "
      "gold, peak gold,\nfall (peak - final), KL at peak and seconds per iteration: "
      "the mean with a Student-t\nand a percentile-bootstrap 95% interval, the "
      "signs, an exact sign test and a Wilcoxon\nsigned-rank test.\n\nOptions");
  opts.add_options()("help,h", "show this help")(
      "format,f", po::value(&format)->default_value(format), "table or csv")(
      "compare", po::value(&compare), "KEY=BASELINE: paired comparisons against it")(
      "metric", po::value(&metric), "a /metrics column to summarize instead of gold")(
      "test", po::value(&test),
      "--compare: the test declared before looking (sign, wilcoxon or t); adds its "
      "p-value, Holm-adjusted over each metric's comparisons")(
      "tune", po::value(&tune),
      "--compare: a key whose best value each arm takes, chosen on --tuning-seeds")(
      "tuning-seeds", po::value(&tuning_seeds),
      "--tune: the seeds that choose (1-4, 1,2,5); the rest are compared")(
      "protocol", po::value(&protocol_path),
      "a study's declared protocol (INI [protocol]): replaces --compare, --test, "
      "--metric, --tune and --tuning-seeds, and checks its equal budgets")(
      "fraction", po::value(&fraction)->default_value(fraction),
      "--metric: the share of the way to the best point that counts as reached")(
      "input", po::value(&inputs)->composing(), "sweep directories or run files");
  po::positional_options_description pos;
  pos.add("input", -1);
  if (const auto status = parse_args("summarize", opts, args, "", &pos))
    return to_int(*status);
  std::vector<std::string> files;
  std::string key, baseline;
  Protocol protocol;
  std::vector<std::pair<std::string, double>> budgets;  // declared, as checked
  try {
    parse_choice("--format", format, {"table", "csv"});
    if (!protocol_path.empty()) {
      for (const auto& [option, value] :
           {std::pair<std::string, std::string>{"--compare", compare},
            {"--test", test},
            {"--metric", metric},
            {"--tune", tune},
            {"--tuning-seeds", tuning_seeds}})
        if (!value.empty())
          throw ConfigError(
              option, value,
              "left out with --protocol, which declares it (" + protocol_path + ")");
      protocol = read_protocol(protocol_path);
      compare = protocol.compare;
      test = protocol.test;
      metric = protocol.metric;
      tune = protocol.tune;
      tuning_seeds = protocol.tuning_seeds;
    }
    if (!compare.empty()) std::tie(key, baseline) = parse_compare(compare);
    if (!test.empty() && compare.empty())
      throw ConfigError("--test", test, "used with --compare KEY=BASELINE");
    if (!tune.empty() && compare.empty())
      throw ConfigError("--tune", tune, "used with --compare KEY=BASELINE");
    if (tune.empty() != tuning_seeds.empty())
      throw ConfigError(
          tune.empty() ? "--tuning-seeds" : "--tune",
          tune.empty() ? tuning_seeds : tune,
          "given with " + std::string(tune.empty() ? "--tune" : "--tuning-seeds"));
    if (!tune.empty() && tune == key)
      throw ConfigError("--tune", tune, "a key other than --compare's");
    if (!tuning_seeds.empty()) parse_seed_list(tuning_seeds);
    if (!test.empty()) {
      std::vector<Comparison> none;
      declare_test(none, test);  // refuses an unknown test before any work
    }
    if (!(fraction > 0 && fraction <= 1))
      throw ConfigError("--fraction", std::to_string(fraction), "a number in (0, 1]");
    if (inputs.empty())
      throw ConfigError("DIR_OR_FILES", "", "at least one sweep directory or run file");
    files = collect_run_files(inputs);
    if (files.empty())
      throw ConfigError("DIR_OR_FILES", join(inputs, " "),
                        "paths holding run files (*.h5)");
    for (const auto& budget : protocol.equal) {
      BudgetCheck check;
      try {
        check = check_budget(files, budget);
      } catch (const std::runtime_error& e) {
        throw ConfigError("protocol.equal", budget,
                          "a budget the runs record: " + std::string(e.what()));
      }
      if (!check.difference.empty())
        throw ConfigError("protocol.equal", budget,
                          "a budget every run shares, as " + protocol.path +
                              " declares: " + check.difference);
      budgets.emplace_back(budget, check.value);
    }
  } catch (const std::exception& e) {
    std::cerr << "raftsim summarize: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }
  SummaryOptions options;
  if (!metric.empty()) options.metric = metric;
  options.fraction = fraction;
  const RunSummary summary = summarize_runs(files, options);
  for (const auto& bad : summary.skipped)
    std::cerr << "raftsim summarize: skipped " << bad.reason << "\n";
  for (const auto& warning : summary.warnings)
    std::cerr << "raftsim summarize: warning: " << warning << "\n";
  if (no_run_has_metric(summary)) {
    std::cerr << "raftsim summarize: --metric = '" << metric
              << "' is not allowed: must be a /metrics column of the runs "
                 "(docs/hdf5-layout.md lists them)\n";
    return to_int(ExitStatus::kBadInput);
  }
  if (summary.points.empty()) {
    std::cerr << "raftsim summarize: no complete run with rows among " << files.size()
              << " file(s)"
              << (summary.skipped.empty() ? ""
                                          : " (each skipped above, with its reason)")
              << "\n";
    return to_int(ExitStatus::kFailure);
  }
  for (const auto& line :
       grid_edges(summary.points, "final", "final " + summary.metric, summary.failed))
    std::cerr << "raftsim summarize: note: " << line << "\n";
  if (key.empty() && !metric.empty())
    return written(format == "csv" ? format_metric_csv(summary)
                                   : format_metric_table(summary));
  if (key.empty())
    return written(format == "csv" ? format_csv(summary.points)
                                   : format_table(summary.points));
  std::vector<PointSummary> points = summary.points;
  std::string header;
  if (!protocol.path.empty()) {
    header +=
        "# protocol " + protocol.path + ": compare " + compare + ", test " + test +
        " (declared before the runs; Holm over each metric's comparisons)" +
        (tune.empty() ? "" : ", " + tune + " tuned on seeds " + tuning_seeds) + "\n";
    if (!protocol.primary.empty())
      header += "# primary measure: " + protocol.primary +
                " (declared before the runs; the other measures are secondary)\n";
    for (const auto& [budget, value] : budgets)
      header += "# equal in every run: " + budget + " = " + format_double(value) +
                " per iteration\n";
  }
  if (!tune.empty()) {
    try {
      TunedPoints tuned = select_on_tuning_seeds(points, tune, tuning_seeds, "final");
      points = std::move(tuned.points);
      for (const auto& line : tuned.choices) header += "# tuned: " + line + "\n";
    } catch (const ConfigError& e) {
      std::cerr << "raftsim summarize: " << e.what() << "\n";
      return to_int(ExitStatus::kBadInput);
    }
  }
  const auto& params = points.front().params;
  const bool varies = std::any_of(params.begin(), params.end(),
                                  [&](const auto& kv) { return kv.first == key; });
  auto comparisons = compare_points(points, key, baseline, compared_measures(metric));
  if (!varies || comparisons.empty()) {
    std::cerr << "raftsim summarize: --compare = '" << compare
              << "' is not allowed: must name a key that varies across the points and "
                 "a value it takes, with runs of shared seeds on both sides\n";
    return to_int(ExitStatus::kBadInput);
  }
  if (!test.empty()) declare_test(comparisons, test);
  // CSV stays one table; the choices go to standard error there.
  if (format == "csv") std::cerr << header;
  return written(format == "csv" ? format_comparisons_csv(comparisons)
                                 : header + format_comparisons(comparisons));
}

}  // namespace raftsim::cli
