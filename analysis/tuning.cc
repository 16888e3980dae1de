#include "analysis/tuning.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "core/errors.h"

namespace raftsim {

namespace {

double tuning_mean(const PointSummary& p, const std::string& measure,
                   const std::set<uint64_t>& tuning, int& runs) {
  const auto& values = p.per_run.at(measure);
  double sum = 0;
  runs = 0;
  for (size_t i = 0; i < p.seeds.size(); ++i)
    if (tuning.count(p.seeds[i])) {
      sum += values[i];
      ++runs;
    }
  return runs ? sum / runs : 0;
}

// `p` with only its runs on seeds outside `tuning`.
PointSummary held_out(const PointSummary& p, const std::set<uint64_t>& tuning) {
  PointSummary out;
  out.params = p.params;
  for (const auto& [name, values] : p.per_run) out.per_run[name];
  for (size_t i = 0; i < p.seeds.size(); ++i) {
    if (tuning.count(p.seeds[i])) continue;
    out.seeds.push_back(p.seeds[i]);
    for (const auto& [name, values] : p.per_run) out.per_run[name].push_back(values[i]);
  }
  estimate_point(out);
  return out;
}

}  // namespace

std::set<uint64_t> parse_seed_list(const std::string& text) {
  const std::string allowed =
      "seeds as a list of numbers and ranges, such as 1-4 or 1,2,5 or 1-3,7";
  std::set<uint64_t> out;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    try {
      size_t used = 0;
      const auto dash = part.find('-');
      const uint64_t lo = std::stoull(part.substr(0, dash), &used);
      if (used != (dash == std::string::npos ? part.size() : dash))
        throw std::invalid_argument(part);
      uint64_t hi = lo;
      if (dash != std::string::npos) {
        hi = std::stoull(part.substr(dash + 1), &used);
        if (used != part.size() - dash - 1 || hi < lo || hi - lo > 100000)
          throw std::invalid_argument(part);
      }
      for (uint64_t s = lo; s <= hi; ++s) out.insert(s);
    } catch (const std::exception&) {
      throw ConfigError("--tuning-seeds", text, allowed);
    }
  }
  if (out.empty()) throw ConfigError("--tuning-seeds", text, allowed);
  return out;
}

TunedPoints select_on_tuning_seeds(const std::vector<PointSummary>& points,
                                   const std::string& tune_key,
                                   const std::string& tuning_text,
                                   const std::string& measure) {
  const std::set<uint64_t> tuning_seeds = parse_seed_list(tuning_text);
  const bool varies =
      !points.empty() &&
      std::any_of(points.front().params.begin(), points.front().params.end(),
                  [&](const auto& kv) { return kv.first == tune_key; });
  if (!varies)
    throw ConfigError("--tune", tune_key, "a key that varies across the points");
  std::map<std::vector<std::pair<std::string, std::string>>,
           std::vector<const PointSummary*>>
      groups;
  std::vector<std::vector<std::pair<std::string, std::string>>> order;
  for (const auto& p : points) {
    std::vector<std::pair<std::string, std::string>> rest;
    for (const auto& kv : p.params)
      if (kv.first != tune_key) rest.push_back(kv);
    if (!groups.count(rest)) order.push_back(rest);
    groups[rest].push_back(&p);
  }
  TunedPoints out;
  for (const auto& rest : order) {
    std::string group;
    for (const auto& [k, v] : rest)
      group += (group.empty() ? "" : ", ") + k + " = " + v;
    // A value is eligible only with as many complete tuning runs as the most
    // complete value of its group: a run that failed (a divergence) or is
    // missing disqualifies its value, rather than leaving it to be judged on
    // the seeds where it survived.
    struct Candidate {
      const PointSummary* point;
      double mean;
      int runs;
    };
    std::vector<Candidate> candidates;
    int most_runs = 0;
    for (const PointSummary* p : groups[rest]) {
      int runs = 0;
      const double mean = tuning_mean(*p, measure, tuning_seeds, runs);
      if (runs > 0) candidates.push_back({p, mean, runs});
      most_runs = std::max(most_runs, runs);
    }
    const PointSummary* best = nullptr;
    double best_mean = 0, best_value_runs = 0;
    std::string excluded;
    for (const auto& [p, mean, runs] : candidates) {
      if (runs < most_runs) {
        for (const auto& [k, v] : p->params)
          if (k == tune_key)
            excluded += (excluded.empty() ? "" : ", ") + v + " (" +
                        std::to_string(runs) + " of " + std::to_string(most_runs) +
                        " tuning runs complete)";
        continue;
      }
      if (!best || mean > best_mean) {
        best = p;
        best_mean = mean;
        best_value_runs = runs;
      }
    }
    if (!best)
      throw ConfigError("--tuning-seeds", tuning_text,
                        "seeds that every point has runs on (" +
                            (group.empty() ? std::string("no point") : group) +
                            " has none)");
    PointSummary chosen = held_out(*best, tuning_seeds);
    if (chosen.seeds.empty())
      throw ConfigError("--tuning-seeds", tuning_text,
                        "a subset of the seeds, leaving held-out runs to compare (" +
                            (group.empty() ? std::string("all runs") : group) +
                            " has none)");
    std::string value;
    for (const auto& [k, v] : best->params)
      if (k == tune_key) value = v;
    chosen.params = rest;
    std::ostringstream line;
    line << tune_key << " = " << value << " chosen from " << groups[rest].size()
         << " values on " << best_value_runs << " tuning seed(s), mean " << measure
         << " " << best_mean << "; compared on " << chosen.seeds.size()
         << " held-out seed(s)" << (group.empty() ? "" : " (" + group + ")")
         << (excluded.empty() ? "" : "; not eligible: " + excluded);
    out.choices.push_back(line.str());
    out.points.push_back(std::move(chosen));
  }
  return out;
}

}  // namespace raftsim
