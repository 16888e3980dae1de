// The policy-gradient trainers (trainer.algorithm = rloo, grpo, ppo, raftpp).
// Tolerances, fixed here before looking at results:
//
// * One rloo step with SGD on a one-context tabular bandit moves the logits
//   by eta * grad J in expectation, grad J_a = pi_a (r_a - sum_b pi_b r_b)
//   (the exact softmax policy gradient, SCIENCE.md §5; the leave-one-out
//   baseline keeps the estimator unbiased). The step is a mean over
//   independent groups of K samples, so its standard error per arm is the
//   std of the groups' summed contributions times sqrt(groups) / rows,
//   computed from the same samples; each arm must be within 4 of them.
// * At ratio 1 (one pass, one minibatch) the clip is inactive: grpo and ppo
//   steps with clip 0.05 and with clip 0.9 agree to 1e-12; over two passes
//   (ratios move) they differ.
// * "It learns": from a uniform policy on a 16 x 32 bandit, every algorithm
//   reaches an exact expected gold reward >= 1.5 within 30 iterations (the
//   best arm's mean is about 2.07; uniform is 0). From the warm start on
//   reverse (gold 0.565), every algorithm reaches gold >= 0.9 within 20
//   iterations.
// * Determinism: /metrics bitwise equal for 1 and 2 generators at
//   staleness 0 and 1, every algorithm (tabular), and ppo and grpo on the
//   transformer.
#define BOOST_TEST_MODULE policy_gradient
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>

#include "models/policies/torch_policy.h"
#include "models/selection/ranker.h"
#include "models/tasks/task.h"
#include "models/training/policy_gradient.h"
#include "models/training/trainer.h"
#include "tests/support/test_support.h"

using namespace raftsim;
using namespace raftsim::test;

namespace {

constexpr int32_t kArms = 8;

struct OneContext {
  std::unique_ptr<Task> task;
  std::unique_ptr<Policy> policy;  // uniform
  OneContext() {
    TaskConfig tc;
    tc.contexts = 1;
    tc.arms = kArms;
    task = make_task(tc, 4);
    policy = make_policy(PolicyConfig{}, *task, 4);
  }
};

// `groups` prompts of context 0 with k responses each, sampled from the
// policy, as the ranker's `all` strategy hands them to the trainer.
TrainBatch sampled_batch(const OneContext& b, int32_t groups, int32_t k) {
  Samples s;
  s.prompt_length = s.response_length = 1;
  s.k = k;
  s.prompts.assign(groups, 0);
  for (int32_t p = 0; p < groups; ++p) s.prompt_ids.push_back(p);
  auto policy = b.policy->clone();
  policy->sample(1.0, 77, s);
  TrainBatch t;
  t.prompt_length = t.response_length = 1;
  t.group = k;
  for (int32_t i = 0; i < s.size(); ++i) {
    t.prompts.push_back(0);
    t.responses.push_back(s.responses[i]);
    t.reward.push_back(b.task->gold(s.prompt(0), s.response(i)));
    t.logp_initial.push_back(s.logp[i]);
  }
  t.token_logp = s.logp;
  return t;
}

std::vector<double> logits(const Policy& p) {
  const auto w = dynamic_cast<const TorchPolicy&>(p).weights();
  const auto t = w->tensors[0].contiguous();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

std::vector<double> step_delta(const OneContext& b, const TrainBatch& batch,
                               TrainerConfig c) {
  Trainer trainer(*b.policy, c, 5);
  const auto before = logits(trainer.policy());
  trainer.train(0, batch);
  auto after = logits(trainer.policy());
  for (size_t a = 0; a < after.size(); ++a) after[a] -= before[a];
  return after;
}

TrainerConfig sgd(const std::string& algorithm, int32_t rows) {
  TrainerConfig c;
  c.algorithm = algorithm;
  c.optimizer = "sgd";
  c.learning_rate = 1.0;
  c.batch_size = rows;
  c.ppo_epochs = 1;
  return c;
}

Settings bandit_run(const std::string& algorithm) {
  const bool groups = algorithm_traits(algorithm).whole_groups;
  return {{"iterations", "30"},
          {"task.contexts", "16"},
          {"task.arms", "32"},
          {"sampler.prompts", "256"},
          {"sampler.k", "8"},
          {"sampler.chunk", "32"},
          {"trainer.algorithm", algorithm},
          {"ranker.strategy", groups ? "all" : "best_of_k"},
          {"trainer.learning_rate", "0.05"}};
}

Settings reverse_run(const std::string& algorithm) {
  const bool groups = algorithm_traits(algorithm).whole_groups;
  return joined(warm_reverse_settings(),
                {{"iterations", "10"},  // every one is past 0.9 by its 6th
                 {"trainer.algorithm", algorithm},
                 {"ranker.strategy", groups ? "all" : "best_of_k"}});
}

// The algorithms over tokens (ddpo's actions are a diffusion chain's steps:
// tests/models/test_ddpo.cc).
const std::vector<std::string> kAlgorithms = [] {
  std::vector<std::string> names;
  for (const auto& name : algorithm_names())
    if (!algorithm_traits(name).chain_only) names.push_back(name);
  return names;
}();

}  // namespace

BOOST_AUTO_TEST_CASE(one_rloo_step_follows_the_exact_policy_gradient) {
  const OneContext b;
  const int32_t groups = 20000, k = 4, rows = groups * k;
  const TrainBatch batch = sampled_batch(b, groups, k);
  const auto delta = step_delta(b, batch, sgd("rloo", rows));

  // Exact gradient at the uniform policy.
  std::vector<double> gold(kArms);
  double mean = 0;
  for (int32_t a = 0; a < kArms; ++a) {
    const int32_t c = 0;
    gold[a] = b.task->gold(&c, &a);
    mean += gold[a] / kArms;
  }
  // The estimator's standard error from its own samples: group sums.
  const auto adv = rloo_advantages(batch.reward, k);
  std::vector<double> sum(kArms, 0), sq(kArms, 0);
  for (int32_t g = 0; g < groups; ++g) {
    std::vector<double> x(kArms, 0);
    for (int32_t j = 0; j < k; ++j) {
      const int32_t i = g * k + j;
      for (int32_t a = 0; a < kArms; ++a)
        x[a] += adv[i] * ((batch.responses[i] == a ? 1.0 : 0.0) - 1.0 / kArms);
    }
    for (int32_t a = 0; a < kArms; ++a) {
      sum[a] += x[a];
      sq[a] += x[a] * x[a];
    }
  }
  for (int32_t a = 0; a < kArms; ++a) {
    const double exact = (1.0 / kArms) * (gold[a] - mean);
    const double var = sq[a] / groups - (sum[a] / groups) * (sum[a] / groups);
    const double se = std::sqrt(var) * std::sqrt(static_cast<double>(groups)) / rows;
    BOOST_TEST_MESSAGE("arm " << a << ": step " << delta[a] << ", exact " << exact
                              << ", SE " << se);
    BOOST_TEST(std::abs(delta[a] - exact) <= 4 * se, "arm " << a);
    // The sample's own estimate is exactly what SGD applied.
    BOOST_TEST(std::abs(delta[a] - sum[a] / rows) < 1e-12);
  }
}

BOOST_AUTO_TEST_CASE(the_clip_is_inactive_at_ratio_one_and_active_after) {
  const OneContext b;
  const int32_t groups = 500, k = 4, rows = groups * k;
  const TrainBatch batch = sampled_batch(b, groups, k);
  for (const std::string algorithm : {"grpo", "ppo"}) {
    TrainerConfig tight = sgd(algorithm, rows), loose = tight;
    tight.clip = 0.05;
    loose.clip = 0.9;
    const auto a = step_delta(b, batch, tight), c = step_delta(b, batch, loose);
    for (int32_t i = 0; i < kArms; ++i)
      BOOST_TEST(std::abs(a[i] - c[i]) < 1e-12, algorithm << " arm " << i);
    tight.ppo_epochs = loose.ppo_epochs = 4;
    tight.learning_rate = loose.learning_rate = 5.0;  // ratios leave [0.95, 1.05]
    const auto a4 = step_delta(b, batch, tight), c4 = step_delta(b, batch, loose);
    double differ = 0;
    for (int32_t i = 0; i < kArms; ++i)
      differ = std::max(differ, std::abs(a4[i] - c4[i]));
    BOOST_TEST(differ > 1e-3, algorithm << ": the clip never acted");
  }
}

BOOST_AUTO_TEST_CASE(the_surrogate_clips_as_ppo_does) {
  auto grad = [](double ratio, double advantage, double clip) {
    auto logp = torch::zeros({1, 1}, torch::kDouble).requires_grad_(true);
    const auto old = torch::full({1, 1}, -std::log(ratio), torch::kDouble);
    const auto adv = torch::full({1, 1}, advantage, torch::kDouble);
    surrogate_loss(logp, old, adv, clip).sum().backward();
    return logp.grad().item<double>();
  };
  // Unclipped gradient of -ratio * A is -ratio * A.
  BOOST_TEST(grad(1.0, 2.0, 0.2) == -2.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(grad(1.5, 2.0, 0.0) == -3.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(grad(1.5, 2.0, 0.2) == 0.0);  // above 1 + clip, A > 0: clipped
  BOOST_TEST(grad(0.5, 2.0, 0.2) == -1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(grad(0.5, -2.0, 0.2) == 0.0);  // below 1 - clip, A < 0: clipped
  BOOST_TEST(grad(1.5, -2.0, 0.2) == 3.0, boost::test_tools::tolerance(1e-12));
}

// surrogate_gradient (the trainer's path without autograd) against autograd
// of surrogate_loss on the same floats: ratios inside and outside the clip
// range, both signs of advantage, a zero advantage and exact ties at the
// clip's edges, with and without the clip.
BOOST_AUTO_TEST_CASE(the_surrogate_gradient_by_hand_is_autograds) {
  auto gen = make_generator(11);
  const int64_t n = 64;
  auto logp = (torch::randn({n}, gen) * 0.3).to(torch::kFloat);
  auto old = torch::zeros({n});
  auto adv = torch::randn({n}, gen);
  adv[0] = 0.0f;
  // Ties: ratio exactly 1 (inside), and the two edges of the range.
  logp[1] = 0.0f;
  logp[2] = std::log(1.2f);
  logp[3] = std::log(0.8f);
  for (const double clip : {0.0, 0.2}) {
    const auto l = logp.clone().requires_grad_(true);
    const double scale = 1.0 / n;
    const auto loss = surrogate_loss(l, old, adv, clip).sum() * scale;
    loss.backward();
    std::vector<float> dlogp(n);
    const auto lc = logp.contiguous(), oc = old.contiguous(), ac = adv.contiguous();
    const double hand =
        surrogate_gradient(lc.data_ptr<float>(), oc.data_ptr<float>(),
                           ac.data_ptr<float>(), n, clip, scale, dlogp.data());
    BOOST_TEST(hand == loss.item<double>(), boost::test_tools::tolerance(1e-5));
    const auto expected = l.grad();
    int clipped = 0;
    for (int64_t i = 0; i < n; ++i) {
      BOOST_TEST(dlogp[i] == expected[i].item<float>(),
                 boost::test_tools::tolerance(1e-6f));
      clipped += dlogp[i] == 0.0f && adv[i].item<float>() != 0.0f;
    }
    // The case that can fail: with the clip, some tokens pass no gradient.
    BOOST_TEST((clipped > 0) == (clip > 0), "clip " << clip << ": " << clipped);
  }
}

BOOST_AUTO_TEST_CASE(advantages_and_the_informative_filter) {
  const auto rloo = rloo_advantages({1, 2, 3, 5, 5, 5}, 3);
  BOOST_TEST(rloo == (std::vector<double>{-1.5, 0, 1.5, 0, 0, 0}),
             boost::test_tools::per_element());
  const auto grpo = group_normalised_advantages({1, 3}, 2);
  BOOST_TEST(grpo[0] == -1.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(grpo[1] == 1.0, boost::test_tools::tolerance(1e-6));
  // GAE with lambda 1 and zero values: every token's advantage is the reward.
  const auto gae = gae_advantages(torch::zeros({1, 3}), torch::ones({1}), 1.0);
  BOOST_TEST(gae.sum().item<double>() == 3.0);

  RankerConfig rc;
  rc.strategy = "informative";
  RankInput in;
  in.n_prompts = 3;
  in.k = 2;
  in.proxy = {1, 1, 0, 2, 4, 4};
  BOOST_TEST(make_ranker(rc)->select(in, 1) == (std::vector<int32_t>{2, 3}),
             boost::test_tools::per_element());
  rc.strategy = "all";
  BOOST_TEST(make_ranker(rc)->select(in, 1).size() == 6u);
}

BOOST_AUTO_TEST_CASE(every_algorithm_learns_the_bandit_from_uniform) {
  TempDir dir;
  for (const auto& algorithm : kAlgorithms) {
    const std::string path = dir.file(algorithm + ".h5");
    BOOST_REQUIRE(run(bandit_run(algorithm), path).status == RunStatus::kComplete);
    const auto gold = metric(path, "gold_reward_exact");
    const double best = *std::max_element(gold.begin(), gold.end());
    BOOST_TEST_MESSAGE(algorithm << ": exact gold " << gold.front() << " -> best "
                                 << best);
    BOOST_TEST(best >= 1.5, algorithm);
  }
}

BOOST_AUTO_TEST_CASE(every_algorithm_learns_reverse_from_the_warm_start) {
  TempDir dir;
  for (const auto& algorithm : kAlgorithms) {
    const std::string path = dir.file(algorithm + ".h5");
    BOOST_REQUIRE(run(reverse_run(algorithm), path).status == RunStatus::kComplete);
    const auto gold = metric(path, "gold_reward_mean");
    const double best = *std::max_element(gold.begin(), gold.end());
    BOOST_TEST_MESSAGE(algorithm << ": gold " << gold.front() << " -> best " << best);
    BOOST_TEST(best >= 0.9, algorithm);
  }
}

BOOST_AUTO_TEST_CASE(metrics_are_bitwise_equal_across_generators_and_staleness) {
  TempDir dir;
  auto compare = [&](const Settings& base, const std::string& name) {
    for (const char* staleness : {"0", "1"}) {
      const std::string one = dir.file(name + staleness + "a.h5"),
                        two = dir.file(name + staleness + "b.h5");
      const Settings s = joined(base, {{"actors.max_staleness", staleness}});
      BOOST_REQUIRE(run(joined(s, {{"actors.generators", "1"}}), one).status ==
                    RunStatus::kComplete);
      BOOST_REQUIRE(run(joined(s, {{"actors.generators", "2"}}), two).status ==
                    RunStatus::kComplete);
      const auto differ = bitwise_differences(one, two);
      BOOST_TEST(differ.empty(),
                 name << " staleness " << staleness << ": " << joined_names(differ));
    }
  };
  for (const auto& algorithm : kAlgorithms)
    compare(joined(bandit_run(algorithm), {{"iterations", "4"}}), algorithm);
  for (const std::string algorithm : {"grpo", "ppo"})
    compare(joined(reverse_run(algorithm),
                   {{"iterations", "3"}, {"policy.warmup_steps", "20"}}),
            "seq_" + algorithm);
}

// Resuming continues bit for bit: the trainer's checkpoint holds the
// optimizer and, for ppo, the critic and its optimizer.
BOOST_AUTO_TEST_CASE(an_extended_run_resumes_bit_for_bit) {
  TempDir dir;
  for (const std::string algorithm : {"ppo", "grpo"}) {
    const Settings base = joined(bandit_run(algorithm), {{"log.checkpoint_every", "1"},
                                                         {"trainer.ppo_epochs", "2"}});
    const auto differ = resume_differences(base, 3, 6, dir, algorithm);
    BOOST_TEST(differ.empty(), algorithm << ": " << joined_names(differ));
  }
}

// SCIENCE.md §5: with a KL penalty, E_pi[r] - beta KL(pi || pi_0) is
// maximised by pi* ∝ pi_0 exp(r / beta), and beta KL(pi || pi*) = J* - J(pi)
// with J* = beta log E_pi0[exp(r / beta)]. rloo with the KL in the loss
// (exact) or in the reward (sampled) must settle there: the gap KL(pi || pi*)
// averaged over the last 20 of 150 iterations below 5% of pi_0's. Exact on
// the tabular policy through gold_reward_exact and kl_to_initial.
BOOST_AUTO_TEST_CASE(a_kl_penalty_settles_at_the_regularised_optimum) {
  TempDir dir;
  const double beta = 0.5;
  for (const std::string mode : {"loss", "reward"}) {
    const std::string path = dir.file("kl_" + mode + ".h5");
    const Settings s = {{"iterations", "150"},
                        {"task.contexts", "1"},
                        {"task.arms", "8"},
                        {"sampler.prompts", "256"},
                        {"sampler.k", "8"},
                        {"sampler.chunk", "64"},
                        {"trainer.algorithm", "rloo"},
                        {"ranker.strategy", "all"},
                        {"trainer.kl_coef", "0.5"},
                        {"trainer.kl_mode", mode},
                        {"trainer.learning_rate", "0.02"}};
    BOOST_REQUIRE(run(s, path).status == RunStatus::kComplete);
    H5File f = H5File::open_read(path);
    const auto gold = f.read("/task/gold");  // [1, 8], pi_0 uniform
    double z = 0;
    for (double r : gold) z += std::exp(r / beta) / gold.size();
    const double best = beta * std::log(z);
    double start_gap = 0;  // KL(pi_0 || pi*) = J* - J(pi_0) over beta
    for (double r : gold) start_gap += r / gold.size();
    start_gap = (best - start_gap) / beta;
    const auto g = metric(path, "gold_reward_exact"),
               kl = metric(path, "kl_to_initial");
    double gap = 0;
    for (size_t t = g.size() - 20; t < g.size(); ++t)
      gap += (best - (g[t] - beta * kl[t])) / beta / 20;
    BOOST_TEST_MESSAGE(mode << ": KL(pi || pi*) " << gap << ", at pi_0 " << start_gap);
    BOOST_TEST(gap >= -1e-9);  // J* is the maximum
    BOOST_TEST(gap < 0.05 * start_gap, mode);
  }
}
