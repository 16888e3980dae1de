#include "experiment/memory_estimate.h"

#include <unistd.h>

#include <algorithm>

#include "core/resources.h"

namespace raftsim {

double MemoryEstimate::total() const {
  double sum = 0;
  for (const auto& i : items) sum += i.bytes;
  return sum;
}

const MemoryEstimate::Item& MemoryEstimate::largest() const {
  return *std::max_element(
      items.begin(), items.end(),
      [](const Item& a, const Item& b) { return a.bytes < b.bytes; });
}

MemoryEstimate estimate_memory(const RunConfig& c) {
  const TaskShape shape = task_shape(c.task);
  const double P = shape.prompt_length, R = shape.response_length;
  const double V = c.task.vocab, D = shape.point_dim;
  const PolicySize policy = policy_traits(c.policy.model).size(c.policy, c.task, shape);
  MemoryEstimate m;
  if (const auto tables = task_traits(c.task.name).tables) {
    const TaskTables t = tables(c.task);
    m.items.push_back({t.key, t.what, t.bytes});
  }
  const double s = c.actors.max_staleness;
  // Generators: policy + pi_0 each; trainer: policy, pi_0, gradient, Adam m
  // and v; snapshots alive: staleness + 2; pi_0 shared.
  const double generators =
      generator_count(c.actors, c.trainer.shards, available_cores());
  const double replicas = 2.0 * generators + 5 + s + 2 + 1;
  m.items.push_back({policy.key, "the policy replicas",
                     replicas * policy.params * policy.bytes_per_param});
  // Samples of the iterations in flight (tokens, four doubles each), held
  // about three times (chunks, pool, log).
  const double sample = (P + R + D) * 4 + 4 * 8;
  const double samples = static_cast<double>(c.sampler.prompts) * c.sampler.k;
  m.items.push_back({"sampler.prompts", "samples", (s + 1) * samples * sample * 3});
  // Held-out prompts: decoded all at once every iteration, greedy and
  // sampled, each with its KV cache.
  m.items.push_back(
      {"task.eval_prompts", "held-out evaluation samples",
       static_cast<double>(c.task.eval_prompts) * 2 * (sample + policy.cache_per_row)});
  // Each generator's chunk: KV caches, or a diffusion step's activations.
  const double chunk = generators * static_cast<double>(c.sampler.chunk) * c.sampler.k;
  if (policy.chunk_per_row > 0)
    m.items.push_back(
        {"sampler.chunk", policy.chunk_what, chunk * policy.chunk_per_row});
  // A learned reward model: its comparisons (two samples each) and its
  // network with Adam's moments, on the trainer and every reward worker.
  if (is_learned(c.reward)) {
    const double pairs =
        static_cast<double>(c.reward.rm_pairs) + c.reward.rm_heldout_pairs;
    m.items.push_back(
        {"reward.rm_pairs", "reward-model comparisons", pairs * 2 * sample});
    const double width = c.reward.rm_hidden;
    // A GRU layer holds 3 gates of width x (input + width) weights; an MLP
    // less. Every ensemble member is a network.
    const double net = c.reward.ensemble *
                       (V + P + R + D + 2 * width * c.reward.rm_layers + 2) * width *
                       3 * 4;
    m.items.push_back({"reward.rm_hidden", "the reward model",
                       net * (4 + static_cast<double>(c.actors.reward_workers))});
  }
  return m;
}

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<double>(pages) * size : 0;
}

}  // namespace raftsim
