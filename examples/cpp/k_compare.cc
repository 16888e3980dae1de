// Links raftsim as a library: runs the quickstart experiment at K = 2 and
// K = 8 from INI text and reads both files back.
//
//   k_compare OUT_DIR [ITERATIONS]
#include <raftsim/raftsim.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: k_compare OUT_DIR [ITERATIONS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::string iterations = argc > 2 ? argv[2] : "30";
  const std::string ini =
      "seed = 1\n[task]\nname = bandit\n[policy]\nmodel = tabular\n"
      "[reward]\nnoise = gaussian\nnoise_scale = 0.5\n";
  try {
    for (const char* k : {"2", "8"}) {
      const auto r = raftsim::embed::run_experiment(
          ini, {std::string("sampler.k=") + k, "iterations=" + iterations},
          dir + "/k" + k + ".h5", /*overwrite=*/true);
      const auto data = raftsim::embed::read_run(r.path);
      std::printf("K = %s: %s, %llu rows, final gold %.4f (raftsim %s)\n", k,
                  r.status.c_str(), static_cast<unsigned long long>(r.rows),
                  data.metrics.at("gold_reward_mean").back(),
                  data.raftsim_version.c_str());
    }
    raftsim::embed::run_experiment(ini, {"sampler.k=0"}, dir + "/bad.h5");
  } catch (const raftsim::embed::BadConfig& e) {
    std::printf("refused: %s\n", e.what());
    return 0;
  }
  return 1;  // the bad config was not refused
}
