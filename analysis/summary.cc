#include "analysis/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "run/run_layout.h"

namespace fs = std::filesystem;

namespace raftsim {

double t975(int dof) {
  static const double table[] = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (dof <= 0) return 0;
  if (dof <= 30) return table[dof - 1];
  return 1.960 + 2.4 / dof;  // within 0.01 of the exact quantile beyond 30
}

Estimate estimate(const std::vector<double>& v) {
  Estimate e;
  const auto n = static_cast<double>(v.size());
  if (v.empty()) return e;
  for (double x : v) e.mean += x / n;
  if (v.size() < 2) return e;
  double ss = 0;
  for (double x : v) ss += (x - e.mean) * (x - e.mean);
  e.ci95 =
      t975(static_cast<int>(v.size()) - 1) * std::sqrt(ss / (n - 1)) / std::sqrt(n);
  return e;
}

std::vector<std::string> collect_run_files(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const auto& in : inputs) {
    if (fs::is_directory(in)) {
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
  std::vector<double> gold, proxy, kl;
};

}  // namespace

RunSummary summarize_runs(const std::vector<std::string>& files) {
  RunSummary summary;
  std::vector<Run> runs;
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
        continue;
      }
      Run r;
      r.config = f.config();
      r.config.erase("seed");
      r.gold = f.metric(layout::kGoldRewardMean);
      r.proxy = f.metric(layout::kProxyRewardMean);
      r.kl = f.metric(layout::kKlToInitial);
      runs.push_back(std::move(r));
    } catch (const std::exception& e) {  // IoError, FormatError
      summary.skipped.push_back({path, e.what()});
    }
  }
  // Keys whose value differs between runs label the points.
  std::set<std::string> varying;
  for (const auto& r : runs)
    for (const auto& [k, v] : r.config)
      if (runs.front().config.count(k) == 0 || runs.front().config.at(k) != v)
        varying.insert(k);
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
  std::vector<PointSummary>& out = summary.points;
  for (const auto& params : order) {
    PointSummary p;
    p.params = params;
    std::vector<double> final_gold, peak, peak_it, kl_peak, gap;
    for (const Run* r : groups[params]) {
      const auto best =
          std::max_element(r->gold.begin(), r->gold.end()) - r->gold.begin();
      final_gold.push_back(r->gold.back());
      peak.push_back(r->gold[best]);
      peak_it.push_back(static_cast<double>(best));
      kl_peak.push_back(r->kl[best]);
      gap.push_back(r->proxy.back() - r->gold.back());
    }
    p.runs = static_cast<int>(final_gold.size());
    p.final_gold = estimate(final_gold);
    p.peak_gold = estimate(peak);
    p.peak_iteration = estimate(peak_it);
    p.kl_at_peak = estimate(kl_peak);
    p.final_gap = estimate(gap);
    out.push_back(std::move(p));
  }
  return summary;
}

namespace {
std::string label(const PointSummary& p) {
  std::string s;
  for (const auto& [k, v] : p.params) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s.empty() ? "(all runs)" : s;
}
std::string pm(const Estimate& e) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f ± %.4f", e.mean, e.ci95);
  return buf;
}
}  // namespace

std::string format_table(const std::vector<PointSummary>& points) {
  size_t width = 10;
  for (const auto& p : points) width = std::max(width, label(p).size());
  char buf[512];
  std::string out;
  std::snprintf(buf, sizeof buf, "%-*s %5s  %-19s %-19s %-19s %-19s %-19s\n",
                static_cast<int>(width), "point", "runs", "final gold", "peak gold",
                "peak iteration", "KL at peak", "proxy-gold at end");
  out += buf;
  for (const auto& p : points) {
    std::snprintf(buf, sizeof buf, "%-*s %5d  %-19s %-19s %-19s %-19s %-19s\n",
                  static_cast<int>(width), label(p).c_str(), p.runs,
                  pm(p.final_gold).c_str(), pm(p.peak_gold).c_str(),
                  pm(p.peak_iteration).c_str(), pm(p.kl_at_peak).c_str(),
                  pm(p.final_gap).c_str());
    out += buf;
  }
  out += "(mean ± 95% confidence half-width over seeds, Student t)\n";
  return out;
}

std::string format_csv(const std::vector<PointSummary>& points) {
  std::string out;
  if (points.empty()) return out;
  for (const auto& [k, _] : points.front().params) out += k + ",";
  out += "runs";
  for (const char* m :
       {"final_gold", "peak_gold", "peak_iteration", "kl_at_peak", "final_gap"})
    out += std::string(",") + m + "_mean," + m + "_ci95";
  out += "\n";
  char buf[64];
  for (const auto& p : points) {
    for (const auto& [_, v] : p.params) out += v + ",";
    out += std::to_string(p.runs);
    for (const Estimate* e : {&p.final_gold, &p.peak_gold, &p.peak_iteration,
                              &p.kl_at_peak, &p.final_gap}) {
      std::snprintf(buf, sizeof buf, ",%.10g,%.10g", e->mean, e->ci95);
      out += buf;
    }
    out += "\n";
  }
  return out;
}

}  // namespace raftsim
