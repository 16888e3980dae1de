#include "analysis/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "core/h5_file.h"
#include "runfile/provenance.h"
#include "runfile/run_layout.h"

namespace fs = std::filesystem;

namespace raftsim {

double t975(int dof) { return dof <= 0 ? 0 : stats::t_quantile(0.975, dof); }

Estimate estimate(const std::vector<double>& v) {
  Estimate e;
  if (v.empty()) return e;
  const stats::ConfidenceInterval i = stats::t_interval(v);
  e.mean = i.estimate;
  if (v.size() >= 2) e.ci95 = i.hi - i.estimate;
  return e;
}

const std::vector<std::string>& summary_metrics() {
  static const std::vector<std::string> names = {
      "final_gold", "peak_gold", "peak_iteration",       "kl_at_peak",
      "final_gap",  "fall",      "seconds_per_iteration"};
  return names;
}

bool no_run_has_metric(const RunSummary& summary) {
  return summary.points.empty() && !summary.skipped.empty() &&
         std::all_of(summary.skipped.begin(), summary.skipped.end(),
                     [](const SkippedFile& s) { return s.lacks_metric; });
}

const std::vector<std::string>& metric_measures() {
  static const std::vector<std::string> names = {"final", "peak", "auc", "to_target"};
  return names;
}

std::vector<std::string> collect_run_files(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const auto& in : inputs) {
    if (fs::is_directory(in) && fs::exists(fs::path(in) / "sweep.h5")) {
      // A sweep: the runs of its grid, not whatever else lies there (the
      // points of an earlier grid that --overwrite replaced).
      try {
        for (const auto& f : H5File::open_read((fs::path(in) / "sweep.h5").string())
                                 .read_strings("/table/file"))
          if (fs::exists(fs::path(in) / f))
            files.push_back((fs::path(in) / f).string());
      } catch (const IoError&) {  // an unreadable manifest: every run file there
        for (const auto& entry : fs::directory_iterator(in))
          if (entry.path().extension() == ".h5" &&
              entry.path().filename() != "sweep.h5")
            files.push_back(entry.path().string());
      }
    } else if (fs::is_directory(in)) {
      for (const auto& entry : fs::directory_iterator(in))
        if (entry.path().extension() == ".h5" && entry.path().filename() != "sweep.h5")
          files.push_back(entry.path().string());
    } else {
      files.push_back(in);
    }
  }
  for (auto& f : files) {
    std::error_code ec;
    const auto canonical = fs::weakly_canonical(f, ec);
    if (!ec) f = canonical.string();
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

namespace {

struct Run {
  std::map<std::string, std::string> config;
  uint64_t seed = 0;
  std::vector<double> gold, proxy, kl, wall;
  std::vector<double> curve;  // SummaryOptions::metric
};

// The first iteration at which `curve` reaches `target`; its length if
// none does (censored).
double iterations_to(const std::vector<double>& curve, double target, bool& reached) {
  for (size_t t = 0; t < curve.size(); ++t)
    if (curve[t] >= target) {
      reached = true;
      return static_cast<double>(t);
    }
  reached = false;
  return static_cast<double>(curve.size());
}

}  // namespace

RunSummary summarize_runs(const std::vector<std::string>& files,
                          const SummaryOptions& options) {
  RunSummary summary;
  summary.metric = options.metric;
  summary.fraction = options.fraction;
  std::vector<Run> runs;
  std::vector<std::map<std::string, std::string>> failed;  // their configs
  // Field -> value -> how many runs have it.
  std::map<std::string, std::map<std::string, int>> origins;
  for (const auto& path : files) {
    try {
      const RunReader f(path);
      if (f.rows() == 0) {
        summary.skipped.push_back({path, path + ": no iteration was logged (status " +
                                             to_string(f.status()) + ")"});
        continue;
      }
      if (f.status() != RunStatus::kComplete) {
        // A killed or failed run is shorter than its seeds: averaging it
        // with them would mix iterations. Resume it, then summarize.
        summary.skipped.push_back(
            {path, path + ": status " + to_string(f.status()) + " with " +
                       std::to_string(f.rows()) +
                       " rows (only complete runs are summarized)"});
        if (f.status() == RunStatus::kFailed) failed.push_back(f.config());
        continue;
      }
      Run r;
      r.config = f.config();
      r.seed = std::strtoull(r.config["seed"].c_str(), nullptr, 10);
      r.config.erase("seed");
      r.wall = f.timing("wall_seconds");
      r.gold = f.metric(layout::kGoldRewardMean);
      r.proxy = f.metric(layout::kProxyRewardMean);
      r.kl = f.metric(layout::kKlToInitial);
      const auto names = f.metric_names();
      if (std::find(names.begin(), names.end(), options.metric) == names.end()) {
        summary.skipped.push_back(
            {path, path + ": no /metrics/" + options.metric + " (--metric)", true});
        continue;
      }
      r.curve =
          options.metric == layout::kGoldRewardMean ? r.gold : f.metric(options.metric);
      runs.push_back(std::move(r));
      const Provenance p = read_provenance(H5File::open_read(path));
      ++origins["raftsim_version"][f.raftsim_version()];
      for (const auto& [name, value] : provenance_fields(p))
        if (name == "source_commit" || name == "compute_identity" ||
            name == "libraries" || name == "image")
          ++origins[name][value];
    } catch (const std::exception& e) {  // IoError, FormatError
      summary.skipped.push_back({path, e.what()});
    }
  }
  for (const auto& [name, values] : origins) {
    if (values.size() < 2) continue;
    std::string line = "the runs differ in " + name + " (";
    for (const auto& [value, n] : values)
      line += (line.back() == '(' ? "" : "; ") + std::to_string(n) + " with '" +
              (value.empty() ? "(not recorded)" : value) + "'";
    summary.warnings.push_back(line + "): their bits may differ for that reason alone");
  }
  // Keys whose value differs between runs label the points.
  std::set<std::string> varying;
  for (const auto& r : runs)
    for (const auto& [k, v] : r.config)
      if (runs.front().config.count(k) == 0 || runs.front().config.at(k) != v)
        varying.insert(k);
  for (const auto& config : failed) {
    Params params;
    for (const auto& k : varying)
      params.emplace_back(k, config.count(k) ? config.at(k) : "");
    summary.failed.push_back(params);
  }
  std::map<std::vector<std::pair<std::string, std::string>>, std::vector<const Run*>>
      groups;
  std::vector<std::vector<std::pair<std::string, std::string>>> order;
  for (const auto& r : runs) {
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& k : varying)
      params.emplace_back(k, r.config.count(k) ? r.config.at(k) : "");
    if (!groups.count(params)) order.push_back(params);
    groups[params].push_back(&r);
  }
  // Points in order of their parameters, numbers compared as numbers.
  auto less = [](const std::vector<std::pair<std::string, std::string>>& a,
                 const std::vector<std::pair<std::string, std::string>>& b) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      if (a[i].second == b[i].second) continue;
      char* ea = nullptr;
      char* eb = nullptr;
      const double x = std::strtod(a[i].second.c_str(), &ea),
                   y = std::strtod(b[i].second.c_str(), &eb);
      if (*ea == '\0' && *eb == '\0' && !a[i].second.empty() && !b[i].second.empty())
        return x < y;
      return a[i].second < b[i].second;
    }
    return a.size() < b.size();
  };
  std::sort(order.begin(), order.end(), less);
  // The to_target threshold: from the metric's mean at iteration 0 over all
  // runs to the best point's mean final value.
  std::vector<double> starts;
  for (const auto& r : runs) starts.push_back(r.curve.front());
  summary.start = stats::mean(starts);
  summary.best = -std::numeric_limits<double>::infinity();
  for (const auto& params : order) {
    std::vector<double> finals;
    for (const Run* r : groups[params]) finals.push_back(r->curve.back());
    summary.best = std::max(summary.best, stats::mean(finals));
  }
  summary.target = summary.start + options.fraction * (summary.best - summary.start);
  std::vector<PointSummary>& out = summary.points;
  for (const auto& params : order) {
    PointSummary p;
    p.params = params;
    // Runs in seed order, so that per-run vectors of two points line up.
    auto members = groups[params];
    std::sort(members.begin(), members.end(),
              [](const Run* a, const Run* b) { return a->seed < b->seed; });
    auto& v = p.per_run;
    for (const Run* r : members) {
      const auto best =
          std::max_element(r->gold.begin(), r->gold.end()) - r->gold.begin();
      p.seeds.push_back(r->seed);
      v["final_gold"].push_back(r->gold.back());
      v["peak_gold"].push_back(r->gold[best]);
      v["peak_iteration"].push_back(static_cast<double>(best));
      v["kl_at_peak"].push_back(r->kl[best]);
      v["final_gap"].push_back(r->proxy.back() - r->gold.back());
      v["fall"].push_back(stats::fall(r->gold));
      v["seconds_per_iteration"].push_back(stats::median(r->wall));
      v["final"].push_back(r->curve.back());
      v["peak"].push_back(*std::max_element(r->curve.begin(), r->curve.end()));
      v["auc"].push_back(stats::mean(r->curve));
      bool reached = false;
      v["to_target"].push_back(iterations_to(r->curve, summary.target, reached));
      v["reached"].push_back(reached ? 1.0 : 0.0);
    }
    estimate_point(p);
    out.push_back(std::move(p));
  }
  return summary;
}

void estimate_point(PointSummary& p) {
  auto& v = p.per_run;
  for (const auto& m : metric_measures()) {
    p.measures[m] = estimate(v[m]);
    p.measure_medians[m] = stats::median(v[m]);
  }
  p.runs = static_cast<int>(p.seeds.size());
  p.reached = 0;
  for (double r : v["reached"]) p.reached += r > 0;
  p.final_gold = estimate(v["final_gold"]);
  p.peak_gold = estimate(v["peak_gold"]);
  p.peak_iteration = estimate(v["peak_iteration"]);
  p.kl_at_peak = estimate(v["kl_at_peak"]);
  p.final_gap = estimate(v["final_gap"]);
  p.fall = estimate(v["fall"]);
  p.final_gold_median = stats::median(v["final_gold"]);
  p.final_gold_trimmed = stats::trimmed_mean(v["final_gold"], 0.2);
}

namespace {
std::string label(const PointSummary& p) {
  std::string s;
  for (const auto& [k, v] : p.params) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s.empty() ? "(all runs)" : s;
}
// A single seed has no interval: "n/a", not "± 0.0000".
std::string pm(const Estimate& e, int runs) {
  char buf[64];
  if (runs < 2)
    std::snprintf(buf, sizeof buf, "%.4f ± n/a", e.mean);
  else
    std::snprintf(buf, sizeof buf, "%.4f ± %.4f", e.mean, e.ci95);
  return buf;
}
}  // namespace

std::string format_table(const std::vector<PointSummary>& points) {
  size_t width = 10;
  for (const auto& p : points) width = std::max(width, label(p).size());
  char buf[512];
  std::string out;
  std::snprintf(buf, sizeof buf,
                "%-*s %5s  %-19s %-8s %-19s %-19s %-19s %-19s %-19s %8s\n",
                static_cast<int>(width), "point", "runs", "final gold", "median",
                "peak gold", "fall (peak-final)", "peak iteration", "KL at peak",
                "proxy-gold at end", "s/iter");
  out += buf;
  for (const auto& p : points) {
    std::snprintf(buf, sizeof buf,
                  "%-*s %5d  %-19s %-8.4f %-19s %-19s %-19s %-19s %-19s %8.3f\n",
                  static_cast<int>(width), label(p).c_str(), p.runs,
                  pm(p.final_gold, p.runs).c_str(), p.final_gold_median,
                  pm(p.peak_gold, p.runs).c_str(), pm(p.fall, p.runs).c_str(),
                  pm(p.peak_iteration, p.runs).c_str(),
                  pm(p.kl_at_peak, p.runs).c_str(), pm(p.final_gap, p.runs).c_str(),
                  stats::median(p.per_run.at("seconds_per_iteration")));
    out += buf;
  }
  out +=
      "(mean ± 95% confidence half-width over seeds, Student t; median: of final gold; "
      "s/iter: median over runs of each run's median wall seconds per iteration)\n";
  return out;
}

std::string format_csv(const std::vector<PointSummary>& points) {
  std::string out;
  if (points.empty()) return out;
  for (const auto& [k, _] : points.front().params) out += k + ",";
  out += "runs";
  for (const char* m :
       {"final_gold", "peak_gold", "peak_iteration", "kl_at_peak", "final_gap", "fall"})
    out += std::string(",") + m + "_mean," + m + "_ci95";
  out += ",final_gold_median,final_gold_trimmed20,seconds_per_iteration_median\n";
  char buf[64];
  for (const auto& p : points) {
    for (const auto& [_, v] : p.params) out += v + ",";
    out += std::to_string(p.runs);
    for (const Estimate* e : {&p.final_gold, &p.peak_gold, &p.peak_iteration,
                              &p.kl_at_peak, &p.final_gap, &p.fall}) {
      // A single seed has no interval: an empty cell, not 0.
      if (p.runs < 2)
        std::snprintf(buf, sizeof buf, ",%.10g,", e->mean);
      else
        std::snprintf(buf, sizeof buf, ",%.10g,%.10g", e->mean, e->ci95);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, ",%.10g,%.10g,%.10g\n", p.final_gold_median,
                  p.final_gold_trimmed,
                  stats::median(p.per_run.at("seconds_per_iteration")));
    out += buf;
  }
  return out;
}

std::string format_metric_table(const RunSummary& summary) {
  const auto& points = summary.points;
  size_t width = 10;
  for (const auto& p : points) width = std::max(width, label(p).size());
  char buf[512];
  std::string out = "/metrics/" + summary.metric + ", per run:\n";
  std::snprintf(buf, sizeof buf, "%-*s %5s  %-19s %-19s %-19s %-19s %7s %9s\n",
                static_cast<int>(width), "point", "runs", "final", "peak", "auc",
                "to target", "reached", "median");
  out += buf;
  for (const auto& p : points) {
    std::snprintf(buf, sizeof buf, "%-*s %5d  %-19s %-19s %-19s %-19s %3d/%-3d %9.4f\n",
                  static_cast<int>(width), label(p).c_str(), p.runs,
                  pm(p.measures.at("final"), p.runs).c_str(),
                  pm(p.measures.at("peak"), p.runs).c_str(),
                  pm(p.measures.at("auc"), p.runs).c_str(),
                  pm(p.measures.at("to_target"), p.runs).c_str(), p.reached, p.runs,
                  p.measure_medians.at("final"));
    out += buf;
  }
  std::snprintf(buf, sizeof buf,
                "(mean ± 95%% confidence half-width over seeds, Student t; auc: mean "
                "over the run's iterations; to target: first iteration at %.4g = start "
                "%.4g + %.2g x (best point's final %.4g - start), a run that never "
                "reaches it counted as its length; median: of final)\n",
                summary.target, summary.start, summary.fraction, summary.best);
  return out + buf;
}

std::string format_metric_csv(const RunSummary& summary) {
  const auto& points = summary.points;
  std::string out;
  if (points.empty()) return out;
  for (const auto& [k, _] : points.front().params) out += k + ",";
  out += "runs";
  for (const auto& m : metric_measures()) out += "," + m + "_mean," + m + "_ci95";
  out += ",reached,final_median,target\n";
  char buf[96];
  for (const auto& p : points) {
    for (const auto& [_, v] : p.params) out += v + ",";
    out += std::to_string(p.runs);
    for (const auto& m : metric_measures()) {
      const Estimate& e = p.measures.at(m);
      if (p.runs < 2)
        std::snprintf(buf, sizeof buf, ",%.10g,", e.mean);
      else
        std::snprintf(buf, sizeof buf, ",%.10g,%.10g", e.mean, e.ci95);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, ",%d,%.10g,%.10g\n", p.reached,
                  p.measure_medians.at("final"), summary.target);
    out += buf;
  }
  return out;
}

}  // namespace raftsim
