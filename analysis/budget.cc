#include "analysis/budget.h"

#include <algorithm>
#include <cmath>
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

std::string budget_difference(const std::vector<std::string>& files,
                              const std::string& budget) {
  if (files.empty()) return "";
  const double first = run_budget(files.front(), budget);
  for (const auto& file : files) {
    const double value = run_budget(file, budget);
    if (value != first)
      return budget + " is " + format_double(first) + " per iteration in " +
             files.front() + " but " + format_double(value) + " in " + file;
  }
  return "";
}

}  // namespace raftsim
