// The tabular policy and the SFT trainer: sampling follows the policy,
// exact statistics are right, training converges to the maximum-likelihood
// fit, and the optimizer/from_initial options behave as documented.
#define BOOST_TEST_MODULE trainer
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <sstream>
#include <thread>

#include "models/policies/policy.h"
#include "models/policies/torch_policy.h"
#include "models/tasks/task.h"
#include "models/training/adam_step.h"
#include "models/training/shard_pool.h"
#include "models/training/trainer.h"

using namespace raftsim;

namespace {
struct Bandit {
  std::unique_ptr<Task> task;
  std::unique_ptr<Policy> policy;
  Bandit(int contexts, int arms, double init_scale = 0.0) {
    TaskConfig tc;
    tc.contexts = contexts;
    tc.arms = arms;
    task = make_task(tc, 1);
    PolicyConfig pc;
    pc.init_scale = init_scale;
    policy = make_policy(pc, *task, 1);
  }
};

Samples prompts(std::vector<int32_t> contexts, int k) {
  Samples s;
  s.prompt_length = s.response_length = 1;
  s.k = k;
  s.prompts = contexts;
  for (size_t i = 0; i < contexts.size(); ++i)
    s.prompt_ids.push_back(static_cast<int32_t>(i));
  return s;
}

// Empirical arm frequencies of `policy` in context 0.
std::vector<double> frequencies(Policy& policy, int arms, double temperature, int n) {
  Samples s = prompts({0}, n);
  policy.sample(temperature, 42, s);
  std::vector<double> f(arms, 0.0);
  for (int32_t a : s.responses) f[a] += 1.0 / n;
  return f;
}

TrainBatch batch_of(const std::vector<int>& counts) {
  TrainBatch b;
  b.prompt_length = b.response_length = 1;
  for (size_t a = 0; a < counts.size(); ++a)
    for (int i = 0; i < counts[a]; ++i) {
      b.prompts.push_back(0);
      b.responses.push_back(static_cast<int32_t>(a));
    }
  return b;
}

std::vector<double> probabilities(const Policy& p, int arms) {
  // exp(logp) of each arm in context 0 at temperature 1.
  Samples s = prompts({0}, arms);
  for (int a = 0; a < arms; ++a) s.responses.push_back(a);
  auto lp = const_cast<Policy&>(p).log_prob(s, 1.0);
  for (auto& x : lp) x = std::exp(x);
  return lp;
}
}  // namespace

BOOST_AUTO_TEST_CASE(samples_follow_the_policy_at_its_temperature) {
  Bandit b(1, 5, 1.0);
  const int n = 100000;
  for (double temperature : {1.0, 0.5}) {
    const auto f = frequencies(*b.policy, 5, temperature, n);
    Samples s = prompts({0}, 5);
    for (int a = 0; a < 5; ++a) s.responses.push_back(a);
    const auto lp = b.policy->log_prob(s, temperature);
    double chi2 = 0, total = 0;
    for (int a = 0; a < 5; ++a) {
      const double p = std::exp(lp[a]);
      total += p;
      chi2 += n * (f[a] - p) * (f[a] - p) / p;
    }
    BOOST_TEST(total == 1.0, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(chi2 < 18.47);  // 4 dof, p = 0.001
  }
  // Sampling is a pure function of (weights, prompts, seed).
  BOOST_TEST(frequencies(*b.policy, 5, 1.0, 1000) ==
             frequencies(*b.policy, 5, 1.0, 1000));
}

BOOST_AUTO_TEST_CASE(exact_stats_of_the_initial_policy) {
  Bandit b(3, 8);
  PolicyStats st;
  BOOST_TEST(b.policy->exact_stats(*b.policy, 1.0, st));
  BOOST_TEST(st.kl_to_initial == 0.0);
  BOOST_TEST(st.entropy == std::log(8.0), boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(training_converges_to_the_maximum_likelihood_fit) {
  Bandit b(1, 4);
  TrainerConfig tc;
  tc.learning_rate = 0.05;
  tc.epochs = 800;
  tc.batch_size = 1000;
  Trainer trainer(*b.policy, tc, 3);
  const std::vector<int> counts = {50, 150, 300, 500};
  const double loss = trainer.train(0, batch_of(counts));
  const auto p = probabilities(trainer.policy(), 4);
  double entropy = 0;
  for (size_t a = 0; a < 4; ++a) {
    BOOST_TEST(std::abs(p[a] - counts[a] / 1000.0) < 1e-3);
    entropy -= counts[a] / 1000.0 * std::log(counts[a] / 1000.0);
  }
  // The loss at the ML fit is the empirical entropy.
  BOOST_TEST(std::abs(loss - entropy) < 1e-3);
  BOOST_TEST(trainer.version() == 1u);
  // The trainer's own copy moved; the policy it was given did not.
  BOOST_TEST(probabilities(*b.policy, 4)[0] == 0.25,
             boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(empty_accepted_set_leaves_weights_unchanged) {
  Bandit b(1, 4);
  Trainer trainer(*b.policy, TrainerConfig{}, 3);
  const double loss = trainer.train(0, batch_of({0, 0, 0, 0}));
  BOOST_TEST(std::isnan(loss));
  BOOST_TEST(trainer.version() == 1u);
  BOOST_TEST(probabilities(trainer.policy(), 4)[2] == 0.25,
             boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(from_initial_retrains_from_pi0_each_iteration) {
  Bandit b(1, 4);
  TrainerConfig tc;
  tc.epochs = 5;
  tc.from_initial = true;
  Trainer a(*b.policy, tc, 3), fresh(*b.policy, tc, 3);
  a.train(0, batch_of({100, 0, 0, 0}));
  a.train(1, batch_of({0, 0, 0, 100}));
  fresh.train(0,
              batch_of({0, 0, 0, 100}));  // iteration index differs only in shuffling
  const auto pa = probabilities(a.policy(), 4), pf = probabilities(fresh.policy(), 4);
  for (int i = 0; i < 4; ++i)
    BOOST_TEST(pa[i] == pf[i], boost::test_tools::tolerance(1e-9));
  // Without from_initial the first iteration leaves a trace.
  tc.from_initial = false;
  Trainer c(*b.policy, tc, 3);
  c.train(0, batch_of({100, 0, 0, 0}));
  c.train(1, batch_of({0, 0, 0, 100}));
  BOOST_TEST(probabilities(c.policy(), 4)[0] > pf[0] + 0.01);
}

BOOST_AUTO_TEST_CASE(sharded_gradients_are_the_minibatch_gradient_and_deterministic) {
  Bandit b(2, 8, 0.5);
  TrainerConfig one, two, three;
  one.shards = 1;
  two.shards = 2;
  three.shards = 3;
  one.batch_size = two.batch_size = three.batch_size = 5;
  Trainer t1(*b.policy, one, 4), t2(*b.policy, two, 4), t2b(*b.policy, two, 4),
      t3(*b.policy, three, 4);
  // 21 rows in minibatches of 5: the last has 1 row, so 3 shards leave two
  // of them empty.
  const TrainBatch batch = batch_of({1, 5, 5, 2, 7, 0, 1});
  for (uint64_t t = 0; t < 3; ++t) {
    const double l1 = t1.train(t, batch), l2 = t2.train(t, batch);
    BOOST_TEST(l2 == l1, boost::test_tools::tolerance(1e-6));
    t2b.train(t, batch);
    t3.train(t, batch);
  }
  const auto w1 = t1.policy().weights()->tensors, w2 = t2.policy().weights()->tensors,
             w2b = t2b.policy().weights()->tensors, w3 = t3.policy().weights()->tensors;
  for (size_t i = 0; i < w1.size(); ++i) {
    // Shards sum to the same gradient up to float rounding ...
    BOOST_TEST(torch::allclose(w1[i], w2[i], 1e-5, 1e-6));
    BOOST_TEST(torch::allclose(w1[i], w3[i], 1e-5, 1e-6));
    // ... and a shard count gives the same bits every time, whatever the
    // threads' timing.
    BOOST_TEST(torch::equal(w2[i], w2b[i]));
  }
}

BOOST_AUTO_TEST_CASE(optimizer_state_persists_unless_reset) {
  Bandit b(1, 4);
  TrainerConfig keep, reset;
  keep.epochs = reset.epochs = 3;
  reset.reset_optimizer = true;
  Trainer a(*b.policy, keep, 3), r(*b.policy, reset, 3);
  for (uint64_t t = 0; t < 3; ++t) {
    a.train(t, batch_of({10, 20, 30, 40}));
    r.train(t, batch_of({10, 20, 30, 40}));
  }
  // Same data, same order; only the Adam moments differ.
  BOOST_TEST(probabilities(a.policy(), 4)[3] != probabilities(r.policy(), 4)[3]);
}

BOOST_AUTO_TEST_CASE(steps_per_iteration_takes_exactly_that_many_minibatch_steps) {
  // Every row names arm 2, so each minibatch's gradient is the same
  // whatever its rows: S steps of batch 4 over 10 rows (passes of 4, 4, 2)
  // land where S one-step passes of batch 10 land.
  Bandit b(1, 4);
  const TrainBatch batch = batch_of({0, 0, 10, 0});
  auto weights_after = [&](int32_t batch_size, int32_t epochs, int32_t steps) {
    TrainerConfig tc;
    tc.batch_size = batch_size;
    tc.epochs = epochs;
    tc.steps_per_iteration = steps;
    Trainer t(*b.policy, tc, 3);
    t.train(0, batch);
    return t.policy().weights()->tensors.front();
  };
  const auto five = weights_after(4, 1, 5);  // 1.67 passes
  BOOST_TEST(torch::allclose(five, weights_after(10, 5, 0), 1e-9, 1e-12));
  BOOST_TEST(!torch::allclose(five, weights_after(10, 4, 0), 1e-6, 1e-9));
  BOOST_TEST(!torch::allclose(five, weights_after(10, 6, 0), 1e-6, 1e-9));
  // Steps equal to epochs x passes: bit for bit the epochs mode, on any rows.
  const TrainBatch mixed = batch_of({3, 5, 7, 2});
  TrainerConfig by_epochs, by_steps;
  by_epochs.batch_size = by_steps.batch_size = 5;
  by_epochs.epochs = 3;
  by_steps.steps_per_iteration = 3 * 4;  // 17 rows: 4 minibatches a pass
  Trainer e(*b.policy, by_epochs, 9), s(*b.policy, by_steps, 9);
  for (uint64_t t = 0; t < 2; ++t) BOOST_TEST(e.train(t, mixed) == s.train(t, mixed));
  BOOST_TEST(torch::equal(e.policy().weights()->tensors.front(),
                          s.policy().weights()->tensors.front()));
}

BOOST_AUTO_TEST_CASE(exact_kl_at_temperature_one_does_not_depend_on_lambda) {
  Bandit b(2, 6, 0.3);
  Trainer t(*b.policy, TrainerConfig{}, 5);
  t.train(0, batch_of({1, 9, 2, 0, 0, 4}));
  PolicyStats at_half, at_one;
  BOOST_REQUIRE(t.policy().exact_stats(*b.policy, 0.5, at_half, nullptr));
  BOOST_REQUIRE(t.policy().exact_stats(*b.policy, 1.0, at_one, nullptr));
  BOOST_TEST(at_one.kl_to_initial_t1 == at_one.kl_to_initial,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(at_half.kl_to_initial_t1 == at_one.kl_to_initial,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(at_half.kl_to_initial != at_one.kl_to_initial);  // tempered: another KL
}

// adam_step deals the parameters over threads but must be Adam::step bit
// for bit: the same weights and moments after several steps on changing
// gradients, with shard counts that do and do not divide the parameters,
// and a state that saves and loads as Adam's (a checkpoint taken after
// adam_step resumes under Adam::step exactly).
BOOST_AUTO_TEST_CASE(adam_step_is_adams_step_bit_for_bit) {
  const auto make_params = [] {
    torch::manual_seed(7);
    std::vector<torch::Tensor> ps;
    for (int64_t n : {5, 64, 1, 300, 17})
      ps.push_back(torch::randn({n}).set_requires_grad(true));
    return ps;
  };
  const auto grads_at = [](int step, size_t i, int64_t n) {
    torch::manual_seed(1000 * step + static_cast<int64_t>(i));
    return torch::randn({n}) * (1.0 + step);
  };
  for (int threads : {1, 2, 3}) {
    auto a = make_params(), b = make_params();
    torch::optim::Adam reference(a, torch::optim::AdamOptions(0.01));
    torch::optim::Adam sharded(b, torch::optim::AdamOptions(0.01));
    ShardPool pool(threads - 1);
    std::vector<int> seen(b.size(), 0);
    for (int step = 0; step < 4; ++step) {
      // Drawn here: LibTorch's default generator is not for several threads.
      std::vector<torch::Tensor> grads;
      for (size_t i = 0; i < a.size(); ++i)
        grads.push_back(grads_at(step, i, a[i].numel()));
      for (size_t i = 0; i < a.size(); ++i) a[i].mutable_grad() = grads[i].clone();
      reference.step();
      adam_step(
          sharded, pool, threads, [&](size_t i) { b[i].mutable_grad() = grads[i]; },
          [&](size_t i) { ++seen[i]; });
      for (size_t i = 0; i < a.size(); ++i)
        BOOST_TEST(torch::equal(a[i], b[i]),
                   "threads " << threads << " step " << step << " parameter " << i);
    }
    for (int count : seen) BOOST_TEST(count == 4);
    // Adam's own archive of adam_step's state continues as Adam does.
    torch::serialize::OutputArchive out;
    sharded.save(out);
    std::ostringstream bytes;
    out.save_to(bytes);
    auto c = make_params();
    for (size_t i = 0; i < c.size(); ++i) c[i].data().copy_(b[i].detach());
    torch::optim::Adam resumed(c, torch::optim::AdamOptions(0.01));
    torch::serialize::InputArchive in;
    std::istringstream read(bytes.str());
    in.load_from(read);
    resumed.load(in);
    for (size_t i = 0; i < a.size(); ++i) {
      a[i].mutable_grad() = grads_at(9, i, a[i].numel());
      c[i].mutable_grad() = grads_at(9, i, c[i].numel());
    }
    reference.step();
    resumed.step();
    for (size_t i = 0; i < a.size(); ++i) BOOST_TEST(torch::equal(a[i], c[i]));
  }
}

// Any other optimizer takes its own step on the calling thread, between
// every before() and every after().
BOOST_AUTO_TEST_CASE(adam_step_leaves_other_optimizers_their_own_step) {
  torch::manual_seed(3);
  std::vector<torch::Tensor> a{torch::randn({7}).set_requires_grad(true)},
      b{a[0].detach().clone().set_requires_grad(true)};
  const auto grad = torch::randn({7});
  torch::optim::SGD reference(a, torch::optim::SGDOptions(0.1));
  torch::optim::SGD sgd(b, torch::optim::SGDOptions(0.1));
  a[0].mutable_grad() = grad.clone();
  reference.step();
  ShardPool pool(1);
  std::vector<std::string> calls;
  adam_step(
      sgd, pool, 2,
      [&](size_t i) {
        b[i].mutable_grad() = grad.clone();
        calls.push_back("before " + std::to_string(i));
      },
      [&](size_t i) { calls.push_back("after " + std::to_string(i)); });
  BOOST_TEST(torch::equal(a[0], b[0]));
  BOOST_TEST((calls == std::vector<std::string>{"before 0", "after 0"}));
}

// ShardPool runs every shard once, shard s on the same thread every time
// (per-thread state is set up once), and rethrows a shard's error after
// every shard has ended.
BOOST_AUTO_TEST_CASE(shard_pool_runs_each_shard_on_its_own_thread_and_rethrows) {
  ShardPool pool(2);
  std::vector<std::thread::id> first(3);
  for (int round = 0; round < 50; ++round) {
    const int n = 1 + round % 3;
    std::vector<std::thread::id> ids(3);
    std::vector<int> runs(3, 0);
    pool.run(n, [&](int s) {
      ids[s] = std::this_thread::get_id();
      ++runs[s];
    });
    for (int s = 0; s < 3; ++s) BOOST_TEST(runs[s] == (s < n ? 1 : 0));
    BOOST_TEST((ids[0] == std::this_thread::get_id()));
    for (int s = 1; s < n; ++s) {
      if (first[s] == std::thread::id()) first[s] = ids[s];
      BOOST_TEST((ids[s] == first[s]));
      BOOST_TEST((ids[s] != std::this_thread::get_id()));
    }
  }
  std::vector<int> ended(3, 0);
  BOOST_CHECK_EXCEPTION(pool.run(3,
                                 [&](int s) {
                                   ended[s] = 1;
                                   if (s == 2) throw std::runtime_error("shard two");
                                 }),
                        std::runtime_error, [](const std::runtime_error& e) {
                          return std::string(e.what()) == "shard two";
                        });
  BOOST_TEST((ended == std::vector<int>{1, 1, 1}));
  BOOST_CHECK_THROW(pool.run(4, [](int) {}), std::invalid_argument);
  pool.run(3, [](int) {});  // still usable after a failed round
}
