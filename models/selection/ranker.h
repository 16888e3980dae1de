// Ranker: chooses the accepted set of an iteration from the proxy rewards of
// its whole pool of b * K samples (prompt-major: sample p * K + j).
//
// Variants by name (ranker.strategy):
//   best_of_k     the best sample of each prompt (RAFT's local ranking)
//   top_fraction  the top round(acceptance_ratio * pool) samples of the
//                 whole pool (RAFT's global ranking), at least one
//   threshold     every sample whose score is >= ranker.threshold +
//                 t * ranker.threshold_step (ReST's growing threshold)
//   quantile      every sample whose score is >= the q-quantile of the
//                 pool's finite scores, q = min(1, ranker.quantile + t *
//                 ranker.quantile_step): a threshold set by the rewards'
//                 own distribution (ReST's thresholds as percentiles), ties
//                 at it all accepted (top_fraction breaks them to a count)
//   all           every sample, as whole groups of K (policy-gradient
//                 trainers: a pass-through)
//   informative   the groups whose K scores are not all equal (a filter:
//                 Reinforce-Rej); groups with a non-finite score are dropped
// The score is r - kl_coef * (log pi_t(y|x) - log pi_0(y|x)) (the RAFT
// paper's KL-regularised ranking; kl_coef = 0 ranks by r). Non-finite scores
// are never accepted. Ties are broken by a key drawn from the stream
// (seed, iteration), never by arrival order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace raftsim {

template <class Cfg>
class ConfigSchema;

struct RankerConfig {
  std::string strategy = "best_of_k";
  double acceptance_ratio = 0.125;
  double threshold = 0.0;
  double threshold_step = 0.0;  // threshold at iteration t: threshold + t * step
  double quantile = 0.5;        // quantile: the level q at iteration 0
  double quantile_step = 0.0;   // quantile: q at iteration t: quantile + t * step
  double kl_coef = 0.0;
};

// The ranker.* keys.
const ConfigSchema<RankerConfig>& ranker_schema();

struct RankInput {
  int32_t n_prompts = 0;
  int32_t k = 0;
  std::vector<double> proxy;         // [n_prompts * k]
  std::vector<double> logp;          // log pi_t(y|x); needed when kl_coef != 0
  std::vector<double> logp_initial;  // log pi_0(y|x); needed when kl_coef != 0
  uint64_t iteration = 0;            // t (the threshold schedule)
};

class Ranker {
 public:
  explicit Ranker(const RankerConfig& config) : kl_coef_(config.kl_coef) {}
  virtual ~Ranker() = default;

  // Indices of the accepted samples, ascending. `tie_seed` keys the tie
  // breaking stream. Thread-safe.
  std::vector<int32_t> select(const RankInput& input, uint64_t tie_seed) const;

 protected:
  // scores: finite or -inf; keys: distinct tie breakers (higher wins).
  virtual std::vector<int32_t> choose(const std::vector<double>& scores,
                                      const std::vector<uint64_t>& keys,
                                      int32_t n_prompts, int32_t k,
                                      uint64_t iteration) const = 0;

 private:
  double kl_coef_;
};

// What a ranker is (core/registry.h).
struct RankerTraits {
  // Accepts every response of a prompt or none (what group baselines need).
  bool whole_groups = false;
  // Equal scores are told apart by the seeded tie stream, so a pool of equal
  // scores yields as many as a pool of distinct ones. False where equal
  // scores are decided by value: quantile keeps every tie at its threshold,
  // informative drops a group whose scores are all equal.
  bool breaks_ties = true;
};

std::vector<std::string> ranker_names();
const RankerTraits& ranker_traits(const std::string& strategy);
// The whole-group rankers' names, "a or b".
std::string whole_group_rankers();
std::unique_ptr<Ranker> make_ranker(const RankerConfig& config);

}  // namespace raftsim
