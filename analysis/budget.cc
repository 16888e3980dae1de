#include "analysis/budget.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "core/config.h"
#include "core/errors.h"
#include "runfile/run_layout.h"

namespace raftsim {

std::vector<std::string> budget_names() { return {"optimizer_steps", "samples"}; }

double run_budget(const std::string& file, const std::string& budget) {
  const RunReader run(file);
  if (budget == "samples") {
    const auto config = run.config();
    const auto prompts = config.find("sampler.prompts"), k = config.find("sampler.k");
    if (prompts == config.end() || k == config.end())
      throw std::runtime_error(file + " has no sampler.prompts or sampler.k");
    return std::stod(prompts->second) * std::stod(k->second);
  }
  if (budget == "optimizer_steps") {
    const auto names = run.metric_names();
    if (std::find(names.begin(), names.end(), "optimizer_steps") == names.end())
      throw std::runtime_error(
          file + " has no /metrics/optimizer_steps (written from " +
          "raftsim 0.6.1 on; it was made by " + run.raftsim_version() + ")");
    const auto steps = run.metric("optimizer_steps");
    if (steps.empty()) return 0;
    return std::accumulate(steps.begin(), steps.end(), 0.0) /
           static_cast<double>(steps.size());
  }
  std::string allowed;
  for (const auto& name : budget_names())
    allowed += (allowed.empty() ? "" : " or ") + name;
  throw ConfigError("equal", budget, allowed);
}

double budget_value(const std::vector<std::string>& files, const std::string& budget) {
  for (const auto& file : files) {
    try {
      if (RunReader(file).status() != RunStatus::kComplete) continue;
    } catch (const std::exception&) {
      continue;
    }
    return run_budget(file, budget);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string budget_difference(const std::vector<std::string>& files,
                              const std::string& budget) {
  std::string first_file;
  double first = 0;
  for (const auto& file : files) {
    // Only complete runs are compared (a failed run's last row trained on
    // nothing); a file that is no run is summarize's to report.
    try {
      if (RunReader(file).status() != RunStatus::kComplete) continue;
    } catch (const std::exception&) {
      continue;
    }
    const double value = run_budget(file, budget);
    if (first_file.empty()) {
      first_file = file;
      first = value;
    } else if (value != first) {
      return budget + " is " + format_double(first) + " per iteration in " +
             first_file + " but " + format_double(value) + " in " + file;
    }
  }
  return "";
}

}  // namespace raftsim
