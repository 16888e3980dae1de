#include "cli/options.h"

#include <iostream>

#include "core/errors.h"

namespace po = boost::program_options;

namespace raftsim::cli {

void add_config_options(po::options_description& opts, std::string& config_path,
                        std::vector<std::string>& sets) {
  opts.add_options()("help,h", "show this help")("config,c", po::value(&config_path),
                                                 "INI file of configuration keys")(
      "set,s", po::value(&sets)->composing(),
      "KEY=VALUE: override one configuration key (repeatable; wins over --config)");
}

std::optional<ExitStatus> parse_args(
    const std::string& command, const po::options_description& opts,
    const std::vector<std::string>& args, const std::string& extra_help,
    const po::positional_options_description* positional) {
  po::variables_map vm;
  try {
    po::command_line_parser parser(args);
    parser.options(opts);
    // Without a positional description every bare word is a mistake (a
    // config file given without --config used to run the defaults).
    po::positional_options_description none;
    parser.positional(positional ? *positional : none);
    const po::parsed_options parsed = parser.run();
    for (const auto& o : parsed.options)
      for (const auto& v : o.value)
        if (v.empty() && o.position_key < 0)
          throw ConfigError("--" + o.string_key, v, "a non-empty value");
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::too_many_positional_options_error&) {
    std::cerr << "raftsim " << command
              << ": unexpected argument (every argument is an option; "
              << "a config file goes after --config; see 'raftsim " << command
              << " --help')\n";
    return ExitStatus::kBadInput;
  } catch (const po::error& e) {
    std::cerr << "raftsim " << command << ": " << e.what() << " (see 'raftsim "
              << command << " --help')\n";
    return ExitStatus::kBadInput;
  } catch (const ConfigError& e) {
    std::cerr << "raftsim " << command << ": " << e.what() << "\n";
    return ExitStatus::kBadInput;
  }
  if (vm.count("help")) {
    std::cout << opts << "\n" << extra_help;
    return ExitStatus::kOk;
  }
  return std::nullopt;
}

}  // namespace raftsim::cli
