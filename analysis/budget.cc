#include "analysis/budget.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <stdexcept>

#include "core/config.h"
#include "core/errors.h"
#include "runfile/run_layout.h"

namespace raftsim {

bool is_budget(const std::string& name) {
  return name == "optimizer_steps" || name == "samples";
}
std::string budget_choices() { return "optimizer_steps or samples"; }

namespace {

double run_budget(const RunReader& run, const std::string& file,
                  const std::string& budget) {
  if (budget == "samples") {
    const auto config = run.config();
    const auto prompts = config.find("sampler.prompts"), k = config.find("sampler.k");
    if (prompts == config.end() || k == config.end())
      throw std::runtime_error(file + " has no sampler.prompts or sampler.k");
    return std::stod(prompts->second) * std::stod(k->second);
  }
  const auto names = run.metric_names();
  if (std::find(names.begin(), names.end(), "optimizer_steps") == names.end())
    throw std::runtime_error(file + " has no /metrics/optimizer_steps (written from " +
                             "raftsim 0.6.1 on; it was made by " +
                             run.raftsim_version() + ")");
  const auto steps = run.metric("optimizer_steps");
  if (steps.empty()) return 0;
  return std::accumulate(steps.begin(), steps.end(), 0.0) /
         static_cast<double>(steps.size());
}

}  // namespace

BudgetCheck check_budget(const std::vector<std::string>& files,
                         const std::string& budget) {
  if (!is_budget(budget)) throw ConfigError("equal", budget, budget_choices());
  BudgetCheck check;
  std::string first_file;
  for (const auto& file : files) {
    // Only complete runs are compared (a failed run's last row trained on
    // nothing); a file that is no run is summarize's to report.
    std::unique_ptr<RunReader> run;
    try {
      run = std::make_unique<RunReader>(file);
    } catch (const std::exception&) {
      continue;
    }
    if (run->status() != RunStatus::kComplete) continue;
    const double value = run_budget(*run, file, budget);
    if (first_file.empty()) {
      first_file = file;
      check.value = value;
    } else if (value != check.value) {
      check.difference = budget + " is " + format_double(check.value) +
                         " per iteration in " + first_file + " but " +
                         format_double(value) + " in " + file;
      break;
    }
  }
  return check;
}

}  // namespace raftsim
