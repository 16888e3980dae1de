// Policy gradients over a diffusion chain (trainer.algorithm = ddpo, and
// rloo/grpo/raftpp on policy.model = diffusion; models/policies/diffusion_policy.h,
// models/training/trainer.h). Tolerances, fixed here before looking:
//
// * The recorded chain is the sampler's: the noise of every step,
//   (x_{t-1} - mu) / (lambda sigma_t), read back from the recorded
//   log-densities, has mean square 1 (it is N(0, I) in D = 2 dimensions):
//   within 4 standard errors, sqrt(2 / (n S D)), over n S D independent
//   coordinates.
// * The ratio is 1 on the first pass over fresh samples: the trainer's
//   recomputed log-densities equal the recorded ones bit for bit on the rows
//   the generator sampled together, and on a shuffled subset of them (other
//   matrix shapes) to float rounding, 1e-6 absolute and relative; one ddpo
//   step with trainer.clip = 1e-4 leaves the same weights, bit for bit, as
//   one with clip 0.9 (clipping acts only where the ratio leaves 1 +- 1e-4),
//   and a second step on the same batch, at moved ratios, does not.
// * One step moves expected gold as its gradient predicts. An SGD step of
//   ddpo (learning rate 0.02, small enough for first order: at 0.5 the
//   measured change was 0.69 of the predicted one, at 0.1 0.89) on batch A
//   (64 prompts x K = 8) changes the weights by d. To first
//   order it changes the expected gold by d . grad J, and by the score
//   function grad J = E[(r - b) grad log p(chain)]; on an independent batch B
//   (512 groups of 8, leave-one-out baseline b) each group gives an unbiased
//   estimate of d . grad J from log p'(chain) - log p(chain) (the weights
//   after and before the step). The change measured on 8192 draws with the
//   same noise before and after must agree with the prediction within 4
//   combined standard errors (groups of B; paired draws), and the
//   prediction must exceed 3 of its own (the step moves gold). The score
//   function leaves out the last, noise-free step's own dependence on the
//   weights (DDPO's gradient does too); the tolerance is where that would
//   show.
// * /metrics are bitwise equal for 1 and 2 generators at staleness 0 and 1
//   (ddpo), and for 1 and 2 generators under rloo.
#define BOOST_TEST_MODULE ddpo
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <numeric>

#include "core/moments.h"
#include "models/policies/diffusion_policy.h"
#include "models/tasks/task.h"
#include "models/training/trainer.h"
#include "tests/support/diffusion_ring.h"
#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;

namespace {

constexpr int32_t kK = 8;

// The ring and a diffusion policy warm-started on it (built once).
const Ring& ring() {
  static const Ring r(1500);
  return r;
}

// `groups` prompts of context 0 with K responses each, chains recorded.
Samples draw(Policy& policy, int32_t groups, uint64_t seed, bool record = true) {
  Samples s;
  s.prompt_length = 1;
  s.k = kK;
  s.prompts.assign(groups, 0);
  s.prompt_ids.resize(groups);
  std::iota(s.prompt_ids.begin(), s.prompt_ids.end(), 0);
  policy.record_chain(record);
  policy.sample(1.0, seed, s);
  return s;
}

std::vector<double> gold(const Task& task, const Samples& s) {
  std::vector<double> g;
  for (int32_t i = 0; i < s.size(); ++i) g.push_back(gold_of(task, s, i));
  return g;
}

// Every sample as the `all` ranker hands it to the trainer.
TrainBatch whole_groups(const Samples& s, const std::vector<double>& reward) {
  TrainBatch b;
  b.prompt_length = 1;
  b.point_dim = s.point_dim;
  b.group = s.k;
  b.prompts.assign(s.size(), 0);
  b.points = s.points;
  b.reward = reward;
  b.logp_initial = s.logp;
  b.token_logp = s.token_logp;
  b.chain_steps = s.chain_steps;
  b.chain = s.chain;
  return b;
}

torch::Tensor chain_tensor(const Samples& s) {
  return torch::tensor(s.chain, torch::kFloat)
      .view({s.size(), s.chain_steps + 1, s.point_dim});
}

// Recomputed log-densities [n, S] of the chains of `s` under `policy`.
torch::Tensor recomputed(Policy& policy, const Samples& s) {
  torch::NoGradGuard no_grad;
  return dynamic_cast<TorchPolicy&>(policy).chain_log_prob(
      chain_tensor(s), torch::zeros({s.size()}, torch::kInt64), 1.0);
}

torch::Tensor recorded(const Samples& s) {
  return torch::tensor(s.token_logp, torch::kDouble)
      .view({s.size(), s.chain_steps})
      .to(torch::kFloat);
}

TrainerConfig ddpo(double clip, double learning_rate, const std::string& optimizer) {
  TrainerConfig t;
  t.algorithm = "ddpo";
  t.clip = clip;
  t.learning_rate = learning_rate;
  t.optimizer = optimizer;
  t.batch_size = 1 << 20;  // one minibatch
  return t;
}

bool same_weights(const Policy& a, const Policy& b) {
  const auto wa = dynamic_cast<const TorchPolicy&>(a).weights();
  const auto wb = dynamic_cast<const TorchPolicy&>(b).weights();
  for (size_t i = 0; i < wa->tensors.size(); ++i)
    if (!torch::equal(wa->tensors[i], wb->tensors[i])) return false;
  return true;
}

// Mean and standard error of v.
struct Estimate {
  double mean = 0, se = 0;
};
Estimate estimate(const std::vector<double>& v) {
  const Moments m = moments(v.data(), v.size());
  return {m.mean, m.standard_error()};
}

Settings points_run(const std::string& algorithm) {
  return joined(small_points_run(), {{"iterations", "3"},
                                     {"trainer.algorithm", algorithm},
                                     {"trainer.batch_size", "64"},
                                     {"reward.noise", "student_t"},
                                     {"reward.noise_scale", "0.5"}});
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_recorded_chain_holds_the_samplers_steps) {
  auto policy = ring().policy->clone();
  const Samples s = draw(*policy, 16, 11);
  const int32_t n = s.size(), S = s.chain_steps, D = s.point_dim;
  BOOST_TEST(S == 99);  // T = 100 steps, the last without noise
  BOOST_TEST_REQUIRE(s.chain.size() == static_cast<size_t>(n) * (S + 1) * D);
  BOOST_TEST_REQUIRE(s.token_logp.size() == static_cast<size_t>(n) * S);
  // log N(x'; mu, sigma^2 I) = -|z|^2 / 2 - D log sigma - D / 2 log(2 pi):
  // each step's noise z is N(0, I), so |z|^2 / D has mean 1 and each
  // coordinate's square variance 2.
  const auto& tp = dynamic_cast<const DiffusionPolicy&>(*policy);
  const double log_2pi = std::log(2 * 3.14159265358979323846);
  double sum = 0;
  for (int32_t i = 0; i < n; ++i)
    for (int32_t j = 0; j < S; ++j) {
      const double sigma = tp.step_sigma(tp.steps() - 1 - j);
      sum += -2 * (s.token_logp[i * S + j] + D * std::log(sigma) + 0.5 * D * log_2pi);
    }
  const double coordinates = static_cast<double>(n) * S * D;
  const double mean_square = sum / coordinates, se = std::sqrt(2 / coordinates);
  BOOST_TEST_MESSAGE("step noise: mean square " << mean_square << " (se " << se << ")");
  BOOST_TEST(std::abs(mean_square - 1) <= 4 * se);
  // The chain starts at x_T ~ N(0, I).
  double start = 0;
  for (int32_t i = 0; i < n; ++i)
    for (int32_t d = 0; d < D; ++d) start += std::pow(s.chain[i * (S + 1) * D + d], 2);
  const double start_se = std::sqrt(2.0 / (n * D));
  BOOST_TEST(std::abs(start / (n * D) - 1) <= 4 * start_se);
  // Without record_chain, nothing is kept.
  const Samples plain = draw(*policy, 16, 11, false);
  BOOST_TEST(plain.chain_steps == 0);
  BOOST_TEST(plain.chain.empty());
  BOOST_TEST(plain.token_logp.empty());
  // The chain does not change the draws.
  BOOST_TEST(plain.points == s.points);
}

BOOST_AUTO_TEST_CASE(the_ratio_is_exactly_one_on_fresh_samples) {
  auto policy = ring().policy->clone();
  const Samples s = draw(*policy, 16, 12);
  const auto behaviour = recorded(s);
  BOOST_TEST(torch::equal(recomputed(*policy, s), behaviour));
  // A shuffled subset of the rows, as a trainer's shard sees them.
  const auto rows = torch::randperm(s.size(), make_generator(3)).narrow(0, 0, 37);
  torch::Tensor sub;
  {
    torch::NoGradGuard no_grad;
    sub = dynamic_cast<TorchPolicy&>(*policy).chain_log_prob(
        chain_tensor(s).index_select(0, rows), torch::zeros({37}, torch::kInt64), 1.0);
  }
  // Matrix products over another number of rows may round differently:
  // to within float rounding of the log-densities (about 1e-6 at |log p| ~ 8).
  const auto expected = behaviour.index_select(0, rows);
  BOOST_TEST_MESSAGE("shuffled subset: largest difference "
                     << (sub - expected).abs().max().item<double>());
  BOOST_TEST(torch::allclose(sub, expected, 1e-6, 1e-6));
  // So a first pass does not clip: clip 1e-4 and 0.9 take the same step.
  const TrainBatch batch = whole_groups(s, gold(*ring().task, s));
  Trainer narrow(*policy, ddpo(1e-4, 1e-3, "adam"), 7),
      wide(*policy, ddpo(0.9, 1e-3, "adam"), 7);
  narrow.train(0, batch);
  wide.train(0, batch);
  BOOST_TEST(same_weights(narrow.policy(), wide.policy()));
  BOOST_TEST(!same_weights(narrow.policy(), *policy));
  // A second pass, at ratios that moved, clips.
  narrow.train(0, batch);
  wide.train(0, batch);
  BOOST_TEST(!same_weights(narrow.policy(), wide.policy()));
}

BOOST_AUTO_TEST_CASE(one_step_moves_expected_gold_as_its_gradient_predicts) {
  const Task& task = *ring().task;
  auto before = ring().policy->clone();
  const Samples a = draw(*before, 64, 21);
  Trainer trainer(*before, ddpo(0.2, 0.02, "sgd"), 8);
  trainer.train(0, whole_groups(a, gold(task, a)));
  auto after = trainer.policy().clone();

  // The prediction: per group of B, mean over its samples of
  // (r - leave-one-out baseline) (log p'(chain) - log p(chain)).
  const Samples b = draw(*before, 512, 22);
  const auto rb = gold(task, b);
  const auto change = (recomputed(*after, b).to(torch::kDouble).sum(1) -
                       recomputed(*before, b).to(torch::kDouble).sum(1))
                          .contiguous();
  const double* dlogp = change.data_ptr<double>();
  std::vector<double> predicted;
  for (int32_t g = 0; g < b.n_prompts(); ++g) {
    double group_sum = 0, contribution = 0;
    for (int32_t j = 0; j < kK; ++j) group_sum += rb[g * kK + j];
    for (int32_t j = 0; j < kK; ++j) {
      const int32_t i = g * kK + j;
      const double baseline = (group_sum - rb[i]) / (kK - 1);
      contribution += (rb[i] - baseline) * dlogp[i] / kK;
    }
    predicted.push_back(contribution);
  }
  // The measurement: the same noise through both weights.
  const Samples x0 = draw(*before, 1024, 23, false), x1 = draw(*after, 1024, 23, false);
  const auto g0 = gold(task, x0), g1 = gold(task, x1);
  std::vector<double> paired(g0.size());
  for (size_t i = 0; i < g0.size(); ++i) paired[i] = g1[i] - g0[i];
  const Estimate p = estimate(predicted), m = estimate(paired);
  BOOST_TEST_MESSAGE("expected gold change: predicted "
                     << p.mean << " (se " << p.se << "), measured " << m.mean << " (se "
                     << m.se << ")");
  BOOST_TEST(p.mean > 3 * p.se);
  BOOST_TEST(std::abs(m.mean - p.mean) <= 4 * std::sqrt(p.se * p.se + m.se * m.se));
}

BOOST_AUTO_TEST_CASE(metrics_are_bitwise_equal_across_generators_and_staleness) {
  TempDir dir;
  for (const auto& [algorithm, staleness] :
       {std::pair{"ddpo", "0"}, std::pair{"ddpo", "1"}, std::pair{"rloo", "1"}}) {
    std::vector<std::string> files;
    for (const char* generators : {"1", "2"}) {
      files.push_back(
          dir.file(std::string(algorithm) + staleness + "g" + generators + ".h5"));
      const Settings s = joined(
          points_run(algorithm),
          {{"actors.max_staleness", staleness}, {"actors.generators", generators}});
      const RunOutcome o = run(s, files.back());
      BOOST_REQUIRE_MESSAGE(o.status == RunStatus::kComplete, o.error);
    }
    const auto differ = bitwise_differences(files[0], files[1]);
    BOOST_TEST(differ.empty(), algorithm << " at staleness " << staleness << ": "
                                         << joined_names(differ));
  }
}
