// raftsim bench: runs a config with 1 and 2 generators (each in a child
// process, so peak memory is per run) and prints throughput, per-stage
// times, the overhead share and memory; for token policies also the
// per-token sampling cost at two response lengths.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "analysis/sampling_cost.h"
#include "analysis/timing.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/settings_input.h"
#include "core/subprocess.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace raftsim::cli {

namespace {

std::vector<int> int_list(const std::string& key, const std::string& text, int hi) {
  std::vector<int> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    out.push_back(static_cast<int>(parse_int(key, item, 1, hi)));
  if (out.empty())
    throw ConfigError(key, text, "a comma-separated list of integers >= 1");
  return out;
}

// Runs `raftsim run` as a child; returns its peak RSS in bytes, or -1.
long run_child(const std::vector<std::string>& args) {
  const ChildExit e =
      wait_child(start_child(self_executable(), args, "", /*quiet_stdout=*/true));
  return e.code == 0 ? e.peak_rss_bytes : -1;
}

}  // namespace

int bench_command(const std::vector<std::string>& args) {
  std::string config_path = "experiments/bench.ini", generators_text = "1,2",
              lengths_text = "8,32";
  std::vector<std::string> sets;
  po::options_description opts(
      "raftsim bench: throughput, stage times, overhead and memory of a config.\n\n"
      "Usage: raftsim bench [--config FILE.ini] [--set KEY=VALUE]... [--generators "
      "1,2] "
      "[--lengths 8,32]\n(default config: experiments/bench.ini)\n\nOptions");
  add_config_options(opts, config_path, sets);
  opts.add_options()("generators",
                     po::value(&generators_text)->default_value(generators_text),
                     "generator counts to run the config with")(
      "lengths", po::value(&lengths_text)->default_value(lengths_text),
      "response lengths for the per-token sampling cost (token policies)");
  if (const auto status = parse_args("bench", opts, args)) return to_int(*status);
  RunConfig config;
  std::vector<int> generators, lengths;
  try {
    config = make_run_config(read_settings(config_path, sets));
    // The range of actors.generators, checked before any run starts.
    generators = int_list("--generators", generators_text, 256);
    lengths = int_list("--lengths", lengths_text, 4096);
  } catch (const std::exception& e) {
    std::cerr << "raftsim bench: " << e.what() << "\n";
    return to_int(ExitStatus::kBadInput);
  }

  char tmpl[] = "/tmp/raftsim-bench-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  const std::string ini = (dir / "config.ini").string();
  std::ofstream(ini) << to_ini(config);
  const double samples = static_cast<double>(config.sampler.prompts) * config.sampler.k;
  const double tokens_per_sample =
      config.task.name == "bandit" ? 1 : config.task.response_length;

  std::printf("raftsim bench: %s (task %s, policy %s, b=%d, K=%d, %d iterations)\n",
              config_path.c_str(), config.task.name.c_str(),
              config.policy.model.c_str(), config.sampler.prompts, config.sampler.k,
              config.iterations);
  std::printf("%-10s %8s %10s %10s %10s %9s %8s %8s %9s %11s\n", "generators", "wall_s",
              "samples/s", "tokens/s", "generate_s", "reward_s", "rank_s", "train_s",
              "overhead", "peak_rss_MB");
  std::vector<TimingSummary> results;
  for (int g : generators) {
    const std::string out = (dir / ("bench-g" + std::to_string(g) + ".h5")).string();
    const long peak =
        run_child({"run", "--config", ini, "--set",
                   "actors.generators=" + std::to_string(g), "--out", out, "--quiet"});
    if (peak < 0) {
      std::cerr << "raftsim bench: the run with " << g << " generators failed\n";
      fs::remove_all(dir);
      return to_int(ExitStatus::kFailure);
    }
    const TimingSummary s = summarize_timing(out, samples);
    std::printf("%-10d %8.2f %10.0f %10.0f %10.4f %9.4f %8.4f %8.4f %8.1f%% %11.1f\n",
                g, s.wall_seconds, s.samples_per_second,
                s.samples_per_second * tokens_per_sample,
                s.stage_seconds.at("generate"), s.stage_seconds.at("reward"),
                s.stage_seconds.at("rank"), s.stage_seconds.at("train"),
                100 * s.overhead_share, peak / 1048576.0);
    results.push_back(s);
  }
  std::printf(
      "(stage columns: mean seconds per iteration; generate and reward summed over "
      "chunks)\n");
  for (size_t i = 1; i < results.size(); ++i)
    std::printf("speed-up of %d generators over %d: %.2fx\n", generators[i],
                generators[0], results[0].wall_seconds / results[i].wall_seconds);
  const auto& rss = results.front().rss_bytes;
  if (rss.size() >= 50)
    std::printf("rss at iteration 5: %.1f MB, at iteration 50: %.1f MB (%+.1f%%)\n",
                rss[4] / 1048576.0, rss[49] / 1048576.0,
                100.0 * (rss[49] / rss[4] - 1));
  if (config.task.name != "bandit") {
    std::vector<double> cost;
    for (int len : lengths) cost.push_back(sampling_seconds_per_token(config, len, 15));
    std::printf("sampling cost per token (chunk of %d prompts x K=%d):",
                config.sampler.chunk, config.sampler.k);
    for (size_t i = 0; i < lengths.size(); ++i)
      std::printf("  length %d: %.2f us", lengths[i], 1e6 * cost[i]);
    std::printf("  ratio %.2f\n", cost.back() / cost.front());
  }
  fs::remove_all(dir);
  return to_int(ExitStatus::kOk);
}

}  // namespace raftsim::cli
