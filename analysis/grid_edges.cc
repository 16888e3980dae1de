#include "analysis/grid_edges.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>

namespace raftsim {

namespace {

bool is_number(const std::string& s, double& x) {
  if (s.empty()) return false;
  char* end = nullptr;
  x = std::strtod(s.c_str(), &end);
  return *end == '\0';
}

// The group of `params` along key k: every other key = value.
std::string group_of(const Params& params, size_t k) {
  std::string group;
  for (size_t j = 0; j < params.size(); ++j)
    if (j != k)
      group += (group.empty() ? "" : ", ") + params[j].first + " = " + params[j].second;
  return group;
}

double score(const PointSummary& p, const std::string& measure) {
  if (measure == "final_gold") return p.final_gold.mean;
  return p.measures.at(measure).mean;
}

}  // namespace

std::vector<std::string> grid_edges(const std::vector<PointSummary>& points,
                                    const std::string& measure,
                                    const std::string& label,
                                    const std::vector<Params>& failed) {
  std::vector<std::string> out;
  if (points.empty()) return out;
  const auto& keys = points.front().params;
  for (size_t k = 0; k < keys.size(); ++k) {
    const std::string& key = keys[k].first;
    // The other keys' values name the group; this key's value is a number.
    std::map<std::string, std::vector<std::pair<double, const PointSummary*>>> groups;
    bool numeric = true;
    for (const auto& p : points) {
      double x = 0;
      if (p.params.size() != keys.size() || !is_number(p.params[k].second, x)) {
        numeric = false;
        break;
      }
      groups[group_of(p.params, k)].emplace_back(x, &p);
    }
    if (!numeric) continue;
    // The values of this key where runs failed, by group.
    std::map<std::string, std::vector<double>> broke;
    for (const auto& params : failed) {
      double x = 0;
      if (params.size() != keys.size() || !is_number(params[k].second, x)) continue;
      broke[group_of(params, k)].push_back(x);
    }
    for (const auto& [group, members] : groups) {
      std::map<double, const PointSummary*> by_value(members.begin(), members.end());
      if (by_value.size() < 3) continue;
      const auto best = std::max_element(
          members.begin(), members.end(), [&](const auto& a, const auto& b) {
            return score(*a.second, measure) < score(*b.second, measure);
          });
      const double lo = by_value.begin()->first, hi = by_value.rbegin()->first;
      if (best->first != lo && best->first != hi) continue;
      const auto& fails = broke[group];
      if (std::any_of(fails.begin(), fails.end(),
                      [&](double x) { return best->first == hi ? x > hi : x < lo; }))
        continue;
      std::ostringstream line;
      line << "the best " << label << " (mean over seeds) is at " << key << " = "
           << best->second->params[k].second << ", the "
           << (best->first == lo ? "lowest" : "highest") << " value of the grid ["
           << by_value.begin()->second->params[k].second << ", "
           << by_value.rbegin()->second->params[k].second << "]"
           << (group.empty() ? "" : " (at " + group + ")")
           << ": the optimum may lie beyond it; extend the grid until the best is "
              "inside";
      out.push_back(line.str());
    }
  }
  return out;
}

}  // namespace raftsim
