// raftsim summarize: per grid point, over seeds, the final and peak gold
// reward, iteration and KL at the peak, proxy-gold gap (analysis/summary.h).
#include <boost/program_options.hpp>
#include <iostream>

#include "analysis/summary.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "core/config.h"

namespace po = boost::program_options;

namespace raftsim::cli {

int summarize_command(const std::vector<std::string>& args) {
  std::vector<std::string> inputs;
  std::string format = "table";
  po::options_description opts(
      "raftsim summarize: per grid point (runs grouped by config without the seed), "
      "over seeds:\n"
      "final and peak gold reward, iteration and KL at the peak, proxy-gold gap at the "
      "end;\n"
      "mean ± 95% confidence half-width.\n\n"
      "Usage: raftsim summarize DIR_OR_FILES... [--format table|csv]\n\nOptions");
  opts.add_options()("help,h", "show this help")(
      "format,f", po::value(&format)->default_value(format), "table or csv")(
      "input", po::value(&inputs)->composing(), "sweep directories or run files");
  po::positional_options_description pos;
  pos.add("input", -1);
  if (const auto status = parse_args("summarize", opts, args, "", &pos))
    return to_int(*status);
  std::vector<std::string> files;
  try {
    parse_choice("--format", format, {"table", "csv"});
    if (inputs.empty())
      throw ConfigError("DIR_OR_FILES", "", "at least one sweep directory or run file");
    files = collect_run_files(inputs);
    if (files.empty())
      throw ConfigError("DIR_OR_FILES", join(inputs, " "),
                        "paths holding run files (*.h5)");
  } catch (const std::exception& e) {
    std::cerr << "raftsim summarize: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }
  const RunSummary summary = summarize_runs(files);
  for (const auto& bad : summary.skipped)
    std::cerr << "raftsim summarize: skipped " << bad.reason << "\n";
  if (summary.points.empty()) {
    std::cerr << "raftsim summarize: no run with rows among " << files.size()
              << " file(s)\n";
    return to_int(ExitStatus::kFailure);
  }
  std::cout << (format == "csv" ? format_csv(summary.points)
                                : format_table(summary.points));
  return to_int(ExitStatus::kOk);
}

}  // namespace raftsim::cli
