#include "analysis/comparison.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "core/errors.h"

namespace raftsim {

namespace {
// The same value, as text or as a number ("1e6" and "1e+06").
bool same_value(const std::string& a, const std::string& b) {
  if (a == b) return true;
  char *ea = nullptr, *eb = nullptr;
  const double x = std::strtod(a.c_str(), &ea), y = std::strtod(b.c_str(), &eb);
  return !a.empty() && !b.empty() && *ea == '\0' && *eb == '\0' && x == y;
}
}  // namespace

const std::vector<std::string>& compared_measures(const std::string& metric) {
  static const std::vector<std::string> gold = {"final_gold", "peak_gold", "fall",
                                                "kl_at_peak", "seconds_per_iteration"};
  return metric.empty() ? gold : metric_measures();
}

std::vector<Comparison> compare_points(const std::vector<PointSummary>& points,
                                       const std::string& key,
                                       const std::string& typed_baseline,
                                       const std::vector<std::string>& metrics,
                                       uint64_t seed) {
  auto value_of = [](const PointSummary& p, const std::string& k) {
    for (const auto& [name, v] : p.params)
      if (name == k) return v;
    return std::string();
  };
  // The baseline as the runs store it: --compare matches by number.
  std::string baseline = typed_baseline;
  for (const auto& q : points)
    if (same_value(value_of(q, key), typed_baseline)) {
      baseline = value_of(q, key);
      break;
    }
  // The keys that tell baseline points apart: a point is paired with the
  // baseline point that agrees with it on these. Keys zipped with `key`
  // (sampler.prompts with sampler.k) take one value among the baselines and
  // so do not count.
  std::set<std::string> design;
  const PointSummary* first_base = nullptr;
  for (const auto& q : points) {
    if (value_of(q, key) != baseline) continue;
    if (!first_base) first_base = &q;
    for (const auto& [k, v] : q.params)
      if (k != key && value_of(*first_base, k) != v) design.insert(k);
  }
  auto split = [&](const PointSummary& p) {
    std::vector<std::pair<std::string, std::string>> others;
    for (const auto& k : design) others.emplace_back(k, value_of(p, k));
    return std::make_pair(others, value_of(p, key));
  };
  std::vector<Comparison> out;
  for (const auto& p : points) {
    const auto [others, value] = split(p);
    if (value == baseline) continue;
    const PointSummary* base = nullptr;
    for (const auto& q : points) {
      const auto [q_others, q_value] = split(q);
      if (q_value == baseline && q_others == others) base = &q;
    }
    if (!base) continue;
    // The seeds both points have, in order.
    std::vector<size_t> mine, theirs;
    for (size_t i = 0, j = 0; i < p.seeds.size() && j < base->seeds.size();) {
      if (p.seeds[i] == base->seeds[j]) {
        mine.push_back(i++);
        theirs.push_back(j++);
      } else if (p.seeds[i] < base->seeds[j]) {
        ++i;
      } else {
        ++j;
      }
    }
    if (mine.empty()) continue;
    for (const auto& metric : metrics) {
      std::vector<double> a, b;
      for (size_t n = 0; n < mine.size(); ++n) {
        a.push_back(p.per_run.at(metric)[mine[n]]);
        b.push_back(base->per_run.at(metric)[theirs[n]]);
      }
      Comparison c;
      c.params = p.params;
      c.key = key;
      c.value = value;
      c.baseline = baseline;
      c.metric = metric;
      c.paired = stats::compare_paired(a, b, seed);
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::pair<std::string, std::string> parse_compare(const std::string& spec) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    throw ConfigError("--compare", spec, "KEY=BASELINE, e.g. sampler.k=8");
  return {spec.substr(0, eq), spec.substr(eq + 1)};
}

const std::vector<std::string>& declarable_tests() {
  static const std::vector<std::string> tests = {"sign", "wilcoxon", "t"};
  return tests;
}

void declare_test(std::vector<Comparison>& comparisons, const std::string& test) {
  const auto& allowed = declarable_tests();
  if (std::find(allowed.begin(), allowed.end(), test) == allowed.end())
    throw ConfigError("--test", test, "one of sign, wilcoxon, t");
  std::map<std::string, std::vector<size_t>> families;
  for (size_t i = 0; i < comparisons.size(); ++i) {
    Comparison& c = comparisons[i];
    c.test = test;
    c.p = test == "sign"       ? c.paired.sign_p
          : test == "wilcoxon" ? c.paired.wilcoxon_p
                               : c.paired.t_p;
    families[c.metric].push_back(i);
  }
  for (const auto& [metric, members] : families) {
    std::vector<double> p;
    for (size_t i : members) p.push_back(comparisons[i].p);
    const std::vector<double> adjusted = stats::holm(p);
    for (size_t n = 0; n < members.size(); ++n)
      comparisons[members[n]].p_holm = adjusted[n];
  }
}

namespace {
std::string interval(const stats::ConfidenceInterval& i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%+.4f, %+.4f]", i.lo, i.hi);
  return buf;
}
// The point's other parameters, "k=v k=v".
std::string others_text(const Comparison& c) {
  std::string s;
  for (const auto& [k, v] : c.params)
    if (k != c.key) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s;
}
std::string comparison_label(const Comparison& c) {
  const std::string others = others_text(c);
  return c.key + "=" + c.value + " vs " + c.baseline +
         (others.empty() ? "" : " " + others);
}
}  // namespace

std::string format_comparisons(const std::vector<Comparison>& comparisons) {
  size_t width = 10;
  for (const auto& c : comparisons) width = std::max(width, comparison_label(c).size());
  char buf[512];
  std::string out;
  const bool declared = !comparisons.empty() && !comparisons.front().test.empty();
  std::snprintf(buf, sizeof buf, "%-*s %-22s %5s %9s  %-20s %-20s %7s %8s %8s",
                static_cast<int>(width), "comparison", "metric", "pairs", "mean diff",
                "95% t interval", "95% bootstrap", "+/-", "sign p", "wilcoxon");
  out += buf;
  if (declared) {
    std::snprintf(buf, sizeof buf, " %10s %8s",
                  (comparisons.front().test + " p").c_str(), "Holm p");
    out += buf;
  }
  out += "\n";
  for (const auto& c : comparisons) {
    const auto& p = c.paired;
    const std::string signs =
        std::to_string(p.positive) + "/" + std::to_string(p.negative);
    std::snprintf(buf, sizeof buf, "%-*s %-22s %5d %+9.4f  %-20s %-20s %7s %8.4f %8.4f",
                  static_cast<int>(width), comparison_label(c).c_str(),
                  c.metric.c_str(), p.n, p.mean_t.estimate, interval(p.mean_t).c_str(),
                  interval(p.mean_boot).c_str(), signs.c_str(), p.sign_p, p.wilcoxon_p);
    out += buf;
    if (declared) {
      std::snprintf(buf, sizeof buf, " %10.4f %8.4f", c.p, c.p_holm);
      out += buf;
    }
    out += "\n";
  }
  if (declared)
    out += "(declared test: " + comparisons.front().test +
           "; Holm p: step-down adjusted over the comparisons of each metric)\n";
  out +=
      "(paired by seed: the point minus its baseline; +/-: seeds where it is above / "
      "below; sign p: exact sign test; wilcoxon: signed-rank test, two-sided; the "
      "percentile bootstrap under-covers with few pairs: below ~10, read the t "
      "interval)\n";
  return out;
}

std::string format_comparisons_csv(const std::vector<Comparison>& comparisons) {
  std::string out =
      "key,value,baseline,others,metric,pairs,mean_diff,t_lo,t_hi,boot_lo,boot_hi,"
      "median_diff,positive,negative,ties,sign_p,wilcoxon_p";
  const bool declared = !comparisons.empty() && !comparisons.front().test.empty();
  out += declared ? ",test,test_p,holm_p\n" : "\n";
  char buf[320];
  for (const auto& c : comparisons) {
    const std::string others = others_text(c);
    const auto& p = c.paired;
    std::snprintf(buf, sizeof buf,
                  ",%s,%d,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%d,%d,%d,%.10g,%.10g",
                  c.metric.c_str(), p.n, p.mean_t.estimate, p.mean_t.lo, p.mean_t.hi,
                  p.mean_boot.lo, p.mean_boot.hi, p.median, p.positive, p.negative,
                  p.ties, p.sign_p, p.wilcoxon_p);
    out += c.key + "," + c.value + "," + c.baseline + "," + others + buf;
    if (declared) {
      std::snprintf(buf, sizeof buf, ",%s,%.10g,%.10g", c.test.c_str(), c.p, c.p_holm);
      out += buf;
    }
    out += "\n";
  }
  return out;
}

}  // namespace raftsim
