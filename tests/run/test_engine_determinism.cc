// Reproducibility and failure handling of the actor engine: bitwise-equal
// /metrics whatever the number of actors, message timing or restarts.
#define BOOST_TEST_MODULE engine_determinism
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <numeric>

#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;

namespace {

const Settings kBase = {{"task.contexts", "8"},       {"task.arms", "32"},
                        {"sampler.prompts", "96"},    {"sampler.k", "8"},
                        {"sampler.chunk", "8"},       {"iterations", "6"},
                        {"reward.noise", "gaussian"}, {"seed", "99"}};

Settings with(const Settings& more) { return joined(kBase, more); }

// Every /metrics dataset of a run, by name.
std::map<std::string, std::vector<double>> all_metrics(const std::string& path) {
  H5File f = H5File::open_read(path);
  std::map<std::string, std::vector<double>> out;
  for (const auto& name : f.list("/metrics")) out[name] = f.read("/metrics/" + name);
  return out;
}

bool bitwise_equal(const std::map<std::string, std::vector<double>>& a,
                   const std::map<std::string, std::vector<double>>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, va] : a) {
    const auto it = b.find(name);
    if (it == b.end() || it->second.size() != va.size()) return false;
    if (std::memcmp(va.data(), it->second.data(), va.size() * sizeof(double)) != 0) {
      BOOST_TEST_MESSAGE("metric " << name << " differs");
      return false;
    }
  }
  return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(metrics_do_not_depend_on_actor_counts_or_repetition) {
  TempDir dir;
  BOOST_REQUIRE(run(with({}), dir.file("ref.h5")).status == RunStatus::kComplete);
  const auto ref = all_metrics(dir.file("ref.h5"));
  BOOST_TEST(ref.at("gold_reward_mean").size() == 6u);
  const std::vector<Settings> variants = {
      {},
      {{"actors.generators", "3"}},
      {{"actors.reward_workers", "2"}},
      {{"actors.generators", "3"}, {"actors.reward_workers", "2"}},
      {{"actors.generators", "2"}, {"log.samples", "true"}},
  };
  for (const auto& v : variants) {
    BOOST_REQUIRE(run(with(v), dir.file("v.h5")).status == RunStatus::kComplete);
    BOOST_TEST(bitwise_equal(ref, all_metrics(dir.file("v.h5"))));
  }
  // A different seed gives a different run (the comparison can fail).
  BOOST_REQUIRE(run(with({{"seed", "100"}}), dir.file("other.h5")).status ==
                RunStatus::kComplete);
  BOOST_TEST(!bitwise_equal(ref, all_metrics(dir.file("other.h5"))));
}

BOOST_AUTO_TEST_CASE(staleness_uses_exact_versions_and_is_deterministic) {
  TempDir dir;
  for (int s : {1, 2}) {
    const Settings stale = {{"actors.max_staleness", std::to_string(s)}};
    Settings one = stale, three = stale;
    three.emplace_back("actors.generators", "3");
    BOOST_REQUIRE(run(with(one), dir.file("a.h5")).status == RunStatus::kComplete);
    BOOST_REQUIRE(run(with(three), dir.file("b.h5")).status == RunStatus::kComplete);
    const auto a = all_metrics(dir.file("a.h5"));
    BOOST_TEST(bitwise_equal(a, all_metrics(dir.file("b.h5"))));
    const auto& version = a.at("policy_version");
    for (size_t t = 0; t < version.size(); ++t)
      BOOST_TEST(version[t] == double(t >= size_t(s) ? t - s : 0));
  }
  // Staleness changes the result (later iterations train on older samples).
  BOOST_REQUIRE(run(with({}), dir.file("fresh.h5")).status == RunStatus::kComplete);
  BOOST_TEST(
      !bitwise_equal(all_metrics(dir.file("a.h5")), all_metrics(dir.file("fresh.h5"))));
}

BOOST_AUTO_TEST_CASE(samples_are_stamped_with_their_policy_version) {
  TempDir dir;
  BOOST_REQUIRE(run(with({{"actors.max_staleness", "1"}, {"log.samples", "true"}}),
                    dir.file("s.h5"))
                    .status == RunStatus::kComplete);
  H5File f = H5File::open_read(dir.file("s.h5"));
  const auto it = f.read("/samples/iteration"), ver = f.read("/samples/policy_version");
  BOOST_TEST(it.size() == 6u * 96 * 8);
  for (size_t i = 0; i < it.size(); ++i)
    BOOST_TEST_REQUIRE(ver[i] == std::max(0.0, it[i] - 1));
  const auto acc = f.read("/samples/accepted");
  BOOST_TEST(std::accumulate(acc.begin(), acc.end(), 0.0) ==
             6.0 * 96);  // best of K per prompt
}

BOOST_AUTO_TEST_CASE(failed_generator_is_restarted_and_the_result_is_unchanged) {
  TempDir dir;
  BOOST_REQUIRE(run(with({{"actors.generators", "2"}}), dir.file("ref.h5")).status ==
                RunStatus::kComplete);
  const RunOutcome o = run(with({{"actors.generators", "2"},
                                 {"faults.generator_crash", "2:3"},
                                 {"faults.crash_times", "1"}}),
                           dir.file("crash.h5"));
  BOOST_TEST(o.status == RunStatus::kComplete);
  BOOST_TEST(o.generator_restarts == 1u);
  BOOST_TEST(bitwise_equal(all_metrics(dir.file("ref.h5")),
                           all_metrics(dir.file("crash.h5"))));
}

BOOST_AUTO_TEST_CASE(repeated_generator_failure_fails_the_run_cleanly) {
  TempDir dir;
  const RunOutcome o = run(with({{"faults.generator_crash", "2:0"},
                                 {"faults.crash_times", "2"},
                                 {"actors.chunk_retries", "1"}}),
                           dir.file("fail.h5"));
  BOOST_TEST(o.status == RunStatus::kFailed);
  BOOST_TEST(o.error.find("iteration 2 chunk 0") != std::string::npos);
  H5File f = H5File::open_read(dir.file("fail.h5"));
  BOOST_TEST(f.string_attribute("status") == "failed");
  // Iterations 0 and 1 completed before the failure and are readable.
  BOOST_TEST(f.read("/metrics/gold_reward_mean").size() == 2u);
  BOOST_TEST(f.read("/timing/wall_seconds").size() == 2u);
}

BOOST_AUTO_TEST_CASE(interrupt_finishes_in_flight_iterations_and_marks_the_file) {
  TempDir dir;
  std::atomic<bool> stop{true};  // raised before the first launch
  RunOptions opts;
  opts.out_path = dir.file("int.h5");
  opts.quiet = true;
  opts.interrupt = &stop;
  const RunOutcome o = run_experiment(make_run_config(with({})), opts);
  BOOST_TEST(o.status == RunStatus::kInterrupted);
  H5File f = H5File::open_read(dir.file("int.h5"));
  BOOST_TEST(f.string_attribute("status") == "interrupted");
  BOOST_TEST(!f.exists("/metrics/gold_reward_mean"));
}

BOOST_AUTO_TEST_CASE(nonfinite_rewards_are_counted_and_never_accepted) {
  TempDir dir;
  // Student-t with 0.01 degrees of freedom overflows to inf now and then.
  const RunOutcome o = run(with({{"reward.noise", "student_t"},
                                 {"reward.noise_dof", "0.01"},
                                 {"log.samples", "true"}}),
                           dir.file("nf.h5"));
  BOOST_TEST(o.status == RunStatus::kComplete);
  H5File f = H5File::open_read(dir.file("nf.h5"));
  const auto counted = f.read("/metrics/nonfinite_rewards");
  const auto proxy = f.read("/samples/proxy"), accepted = f.read("/samples/accepted");
  double nonfinite = 0;
  for (size_t i = 0; i < proxy.size(); ++i) {
    if (!std::isfinite(proxy[i])) {
      ++nonfinite;
      BOOST_TEST_REQUIRE(accepted[i] == 0.0);
    }
  }
  BOOST_TEST(nonfinite > 0);
  BOOST_TEST(std::accumulate(counted.begin(), counted.end(), 0.0) == nonfinite);
  for (double m : f.read("/metrics/accepted_proxy_mean")) BOOST_TEST(std::isfinite(m));
}
