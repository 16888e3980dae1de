// Configuration keys: parsing, bad input naming key and value, round trip
// through the resolved INI text.
#define BOOST_TEST_MODULE config
#include <boost/test/unit_test.hpp>

#include "experiment/experiment_hash.h"
#include "experiment/run_config.h"

using namespace raftsim;

namespace {
// The ConfigError a settings list raises; fails the test if none.
ConfigError error_of(const Settings& s) {
  try {
    make_run_config(s);
  } catch (const ConfigError& e) {
    return e;
  }
  BOOST_FAIL("no ConfigError");
  return ConfigError("", "", "");
}
}  // namespace

BOOST_AUTO_TEST_CASE(defaults_are_valid_and_settings_apply_in_order) {
  const RunConfig c = make_run_config({{"sampler.k", "4"},
                                       {"sampler.k", "16"},
                                       {"reward.persistent", "no"},
                                       {"ranker.kl_coef", "0.01"}});
  BOOST_TEST(c.sampler.k == 16);
  BOOST_TEST(!c.reward.persistent);
  BOOST_TEST(c.ranker.kl_coef == 0.01);
}

BOOST_AUTO_TEST_CASE(bad_values_name_key_value_and_what_is_allowed) {
  auto e = error_of({{"sampler.k", "0"}});
  BOOST_TEST(e.key() == "sampler.k");
  BOOST_TEST(e.value() == "0");
  BOOST_TEST(std::string(e.what()).find("an integer in [1, ") != std::string::npos);

  e = error_of({{"sampler.k", "8x"}});
  BOOST_TEST(e.key() == "sampler.k");
  e = error_of({{"ranker.acceptance_ratio", "1.5"}});
  BOOST_TEST(e.allowed().find("(0, 1]") != std::string::npos);
  e = error_of({{"ranker.acceptance_ratio", "0"}});
  BOOST_TEST(e.key() == "ranker.acceptance_ratio");
  e = error_of({{"policy.temperature", "nan"}});
  BOOST_TEST(e.key() == "policy.temperature");
  e = error_of({{"ranker.strategy", "best_of_n"}});
  BOOST_TEST(e.allowed().find("best_of_k") != std::string::npos);
  e = error_of({{"no.such_key", "1"}});
  BOOST_TEST(e.key() == "no.such_key");
  e = error_of({{"reward.persistent", "maybe"}});
  BOOST_TEST(e.key() == "reward.persistent");
  e = error_of({{"faults.generator_crash", "3"}});
  BOOST_TEST(e.key() == "faults.generator_crash");
  e = error_of({{"seed", "-1"}});
  BOOST_TEST(e.key() == "seed");
  e = error_of({{"faults.signal", "KILL@row:x"}});
  BOOST_TEST(e.key() == "faults.signal");
  // Where one value alone is allowed, the message says which to set.
  e = error_of({{"trainer.algorithm", "rloo"},
                {"ranker.strategy", "all"},
                {"trainer.from_initial", "true"}});
  BOOST_TEST(e.key() == "trainer.from_initial");
  BOOST_TEST(std::string(e.what()).find("; set trainer.from_initial = false") !=
                 std::string::npos,
             e.what());
  e = error_of({{"task.name", "sequence"}, {"task.features", "3"}});
  BOOST_TEST(std::string(e.what()).find("; set task.features = 0") != std::string::npos,
             e.what());
}

BOOST_AUTO_TEST_CASE(generators_auto_uses_the_cores_the_trainer_leaves_free) {
  RunConfig c = make_run_config({});
  BOOST_TEST(c.actors.generators == ActorsConfig::kAuto);
  BOOST_TEST(to_ini(c).find("generators = auto") != std::string::npos);
  // Staleness 0: the trainer runs while the generators wait.
  BOOST_TEST(generator_count(c.actors, 2, 8) == 8);
  BOOST_TEST(generator_count(c.actors, 2, 1) == 1);
  // Staleness > 0: the trainer's shards run beside them; at least one.
  c.actors.max_staleness = 1;
  BOOST_TEST(generator_count(c.actors, 2, 8) == 6);
  BOOST_TEST(generator_count(c.actors, 2, 2) == 1);
  // A number is used as given.
  c = make_run_config({{"actors.generators", "3"}});
  BOOST_TEST(generator_count(c.actors, 2, 64) == 3);
  const auto e = error_of({{"actors.generators", "-1"}});
  BOOST_TEST(e.key() == "actors.generators");
  BOOST_TEST(e.allowed() == "auto or an integer in [0, 256]");
  // 0 local generators: only with nodes to do the work.
  BOOST_TEST(error_of({{"actors.generators", "0"}}).key() == "actors.generators");
  c = make_run_config({{"actors.generators", "0"}, {"actors.nodes", "127.0.0.1:7001"}});
  BOOST_TEST(generator_count(c.actors, 2, 8) == 0);
}

BOOST_AUTO_TEST_CASE(node_addresses_are_environment_not_experiment) {
  const RunConfig a = make_run_config({{"seed", "4"}});
  const RunConfig b = make_run_config(
      {{"seed", "4"}, {"actors.nodes", "127.0.0.1:7001,[::1]:7002,gpu-box:9000"}});
  BOOST_TEST(parse_node_list("k", b.actors.nodes).size() == 3u);
  BOOST_TEST(parse_node_list("k", b.actors.nodes)[1].host == "::1");
  // Neither the resolved INI, nor /config, nor the hash names the nodes.
  BOOST_TEST(to_ini(a) == to_ini(b));
  BOOST_TEST(experiment_hash(a) == experiment_hash(b));
  BOOST_TEST(resolved_settings(b).size() == resolved_settings(a).size());
  BOOST_TEST(experiment_hash(a) != experiment_hash(make_run_config({{"seed", "5"}})));
  // Nor do the keys that change where and how long, not what, a run computes.
  BOOST_TEST(experiment_hash(a) ==
             experiment_hash(make_run_config({{"seed", "4"},
                                              {"actors.generators", "3"},
                                              {"iterations", "99"},
                                              {"faults.signal", "KILL@sample:2"}})));
  for (const char* bad :
       {"127.0.0.1", "h:0", "h:65536", ":80", "h:80,,g:81", "h:80,h:80", "h:8x"})
    BOOST_TEST(error_of({{"actors.nodes", bad}}).key() == "actors.nodes", bad);
  BOOST_TEST(is_loopback("127.0.0.1"));
  BOOST_TEST(is_loopback("localhost"));
  BOOST_TEST(!is_loopback("10.0.0.2"));
  // Decided by the resolved addresses, not the spelling (RFC 6761: an
  // .invalid name never resolves).
  BOOST_TEST(is_loopback("127.3.4.5"));
  BOOST_TEST(is_loopback("::1"));
  BOOST_TEST(is_loopback("::ffff:127.0.0.1"));
  BOOST_TEST(!is_loopback("127.attacker.invalid"));
  BOOST_TEST(!is_loopback("127.0.0.1.invalid"));
  BOOST_TEST(!is_loopback("::ffff:10.0.0.1"));
  BOOST_TEST(!is_loopback(""));
}

BOOST_AUTO_TEST_CASE(resolved_ini_reproduces_the_config) {
  const RunConfig c = make_run_config({{"policy.temperature", "0.85"},
                                       {"seed", "123456789012"},
                                       {"reward.noise", "student_t"},
                                       {"trainer.learning_rate", "0.1"}});
  const std::string ini = to_ini(c);
  // Parse the text back (section headers + key = value).
  Settings back;
  std::string section, line;
  std::istringstream in(ini);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.front() == '[') {
      section = line.substr(1, line.size() - 2) + ".";
      continue;
    }
    const auto eq = line.find(" = ");
    back.emplace_back(section + line.substr(0, eq), line.substr(eq + 3));
  }
  // Every key but the environment ones (actors.nodes).
  BOOST_TEST(back.size() + 1 == run_config_schema().keys().size());
  BOOST_TEST(to_ini(make_run_config(back)) == ini);
  BOOST_TEST(ini.find("temperature = 0.85") != std::string::npos);
  BOOST_TEST(ini.find("seed = 123456789012") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(format_double_round_trips) {
  for (double x : {0.1, 1.0 / 3.0, 2e-5, 1e300, -0.0, 123456.789})
    BOOST_TEST(std::stod(format_double(x)) == x);
  BOOST_TEST(format_double(0.85) == "0.85");
}
