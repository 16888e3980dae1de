// raftsim node: hosts generator actors for runs elsewhere (run/node_server.h).
#include <boost/program_options.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "api/settings_input.h"
#include "cli/commands.h"
#include "cli/network_options.h"
#include "cli/options.h"
#include "cli/signals.h"
#include "core/resources.h"
#include "experiment/experiment_hash.h"
#include "run/node_server.h"

namespace po = boost::program_options;

namespace raftsim::cli {

namespace {

// "raftsim node 10:41:07: <line>" on stderr, one write per line.
void log_line(const std::string& line) {
  char stamp[16];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::gmtime(&now));
  const std::string text = "raftsim node " + std::string(stamp) + ": " + line + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

// --listen: host:port, where port 0 asks for any free port.
NodeAddress parse_listen(const std::string& text) {
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ":0") == 0) {
    NodeAddress any =
        parse_node_address("--listen", text.substr(0, text.size() - 1) + "1");
    any.port = 0;
    return any;
  }
  return parse_node_address("--listen", text);
}

}  // namespace

int node_command(const std::vector<std::string>& args) {
  std::string listen, config_path;
  std::vector<std::string> sets;
  TlsFiles tls;
  int32_t generators = 1;
  int64_t kill_after = -1;
  int64_t max_message_mb = 256;
  po::options_description opts(
      "raftsim node: host generator actors for runs on other processes or "
      "machines\n(a run lists it in actors.nodes). Serves one run at a time "
      "until SIGINT/SIGTERM.\n\n"
      "Usage: raftsim node --listen HOST:PORT [--generators N] [--config FILE.ini "
      "[--set KEY=VALUE]...]\n"
      "                    [--tls-cert FILE --tls-key FILE --tls-ca FILE "
      "[--tls-passphrase-file FILE]]\n\n"
      "Off loopback, mutual TLS is mandatory. With --config the node accepts only "
      "runs of\nthat experiment (its resolved configuration, node addresses aside)."
      "\n\nOptions");
  add_config_options(opts, config_path, sets);
  opts.add_options()("listen", po::value(&listen),
                     "HOST:PORT to listen on (port 0: any free port, printed)")(
      "generators", po::value(&generators)->default_value(1),
      "generator actors (one model replica and thread each)")(
      "max-message-mb", po::value(&max_message_mb)->default_value(max_message_mb),
      "plain TCP: drop a connection that announces a message larger than this "
      "(MiB, 1-4095)")(
      "kill-after-chunks", po::value(&kill_after)->default_value(-1),
      "testing: the node SIGKILLs itself when chunk N + 1 arrives (-1: never)");
  add_tls_options(opts, tls);
  if (const auto status = parse_args("node", opts, args)) return to_int(*status);

  NodeOptions options;
  try {
    if (listen.empty()) throw ConfigError("--listen", "", "HOST:PORT (port 0: any)");
    options.listen = parse_listen(listen);
    if (generators < 1 || generators > 256)
      throw ConfigError("--generators", std::to_string(generators), "in [1, 256]");
    if (max_message_mb < 1 || max_message_mb > 4095)
      throw ConfigError("--max-message-mb", std::to_string(max_message_mb),
                        "in [1, 4095]");
    check_network(tls, {options.listen.host}, "--listen");
    check_process_limits(kBaseAddressBytes);
    if (!config_path.empty() || !sets.empty()) {
      const RunConfig pinned = make_run_config(read_settings(config_path, sets));
      for (const auto& [key, value] : resolved_settings(pinned))
        if (changes_results(key)) options.pinned.settings.emplace_back(key, value);
      options.pinned.hash = experiment_hash(pinned);
    }
  } catch (const std::exception& e) {
    std::cerr << "raftsim node: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }
  options.tls = tls;
  options.generators = generators;
  options.kill_after_chunks = kill_after;
  options.max_message_bytes = static_cast<uint32_t>(max_message_mb) << 20;
  options.log = log_line;
  options.stop = &g_interrupted;
  options.listening = [&](uint16_t port) {
    log_line("listening on " + options.listen.host + ":" + std::to_string(port) +
             (tls.enabled() ? " (mutual TLS)" : " (plain TCP, loopback)") + ", " +
             std::to_string(generators) + " generator" + (generators == 1 ? "" : "s"));
  };
  install_signal_handlers();
  try {
    serve_node(options);
  } catch (const ConfigError& e) {
    std::cerr << "raftsim node: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  } catch (const std::exception& e) {
    std::cerr << "raftsim node: " << e.what() << "\n";
    return to_int(ExitStatus::kFailure);
  }
  log_line("stopped");
  return to_int(ExitStatus::kOk);
}

}  // namespace raftsim::cli
