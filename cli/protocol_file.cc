#include "cli/protocol_file.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

#include "analysis/budget.h"
#include "analysis/comparison.h"
#include "core/config.h"
#include "core/errors.h"

namespace po = boost::program_options;

namespace raftsim::cli {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto a = item.find_first_not_of(" \t"), b = item.find_last_not_of(" \t");
    if (a != std::string::npos) items.push_back(item.substr(a, b - a + 1));
  }
  return items;
}

}  // namespace

Protocol read_protocol(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw ConfigError("--protocol", path, "a readable protocol file ([protocol] INI)");
  Protocol p;
  p.path = path;
  std::string equal;
  po::options_description keys;
  keys.add_options()("protocol.compare", po::value(&p.compare))(
      "protocol.test", po::value(&p.test))("protocol.metric", po::value(&p.metric))(
      "protocol.primary", po::value(&p.primary))("protocol.tune", po::value(&p.tune))(
      "protocol.tuning_seeds", po::value(&p.tuning_seeds))("protocol.equal",
                                                           po::value(&equal));
  const std::string allowed =
      "one of protocol.compare, test, metric, primary, tune, tuning_seeds, equal (each "
      "once)";
  try {
    po::variables_map vm;
    po::store(po::parse_config_file(in, keys, /*allow_unregistered=*/false), vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    throw ConfigError(e.get_option_name(), path, allowed);
  } catch (const po::error& e) {
    throw ConfigError("--protocol", path, allowed + " (" + e.what() + ")");
  }
  if (p.compare.empty())
    throw ConfigError("protocol.compare", "", "KEY=BASELINE, declared before the runs");
  if (p.test.empty())
    throw ConfigError("protocol.test", "",
                      "sign, wilcoxon or t, declared before the runs");
  try {
    std::vector<Comparison> none;
    declare_test(none, p.test);
  } catch (const ConfigError& e) {
    throw ConfigError("protocol.test", p.test, e.allowed());
  }
  if (!p.primary.empty()) {
    const auto& measures = compared_measures(p.metric);
    if (std::find(measures.begin(), measures.end(), p.primary) == measures.end())
      throw ConfigError(
          "protocol.primary", p.primary,
          "one of " + join(measures, ", ") +
              (p.metric.empty() ? "" : " (the measures of protocol.metric)"));
  }
  if (p.tune.empty() != p.tuning_seeds.empty())
    throw ConfigError(
        p.tune.empty() ? "protocol.tuning_seeds" : "protocol.tune",
        p.tune.empty() ? p.tuning_seeds : p.tune,
        "given with protocol." + std::string(p.tune.empty() ? "tune" : "tuning_seeds"));
  p.equal = split_list(equal);
  for (const auto& budget : p.equal)
    if (!is_budget(budget))
      throw ConfigError("protocol.equal", budget, budget_choices());
  return p;
}

}  // namespace raftsim::cli
