#include "models/rewards/reward_model.h"

#include <limits>

#include "core/config.h"
#include "core/registry.h"
#include "core/rng.h"
#include "models/rewards/error_field.h"
#include "models/rewards/learned_reward.h"
#include "models/tasks/task.h"

namespace raftsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

class NoNoise final : public RewardNoise {
 public:
  explicit NoNoise(const RewardConfig&) {}
  double error(uint64_t, uint64_t, double) const override { return 0.0; }
  double mean(double) const override { return 0.0; }
  double variance(double) const override { return 0.0; }
};

class GaussianNoise final : public RewardNoise {
 public:
  explicit GaussianNoise(const RewardConfig& c) : scale_(c.noise_scale) {}
  double error(uint64_t sample_stream, uint64_t, double) const override {
    return scale_ * Rng(sample_stream).normal();
  }
  double mean(double) const override { return 0.0; }
  double variance(double) const override { return scale_ * scale_; }
  bool per_sample() const override { return true; }

 private:
  double scale_;
};

class StudentTNoise final : public RewardNoise {
 public:
  explicit StudentTNoise(const RewardConfig& c)
      : scale_(c.noise_scale), dof_(c.noise_dof) {}
  double error(uint64_t sample_stream, uint64_t, double) const override {
    return scale_ * Rng(sample_stream).student_t(dof_);
  }
  // The mean exists for dof > 1 (it is 0); infinite variance for dof <= 2.
  double mean(double) const override {
    return dof_ > 1 ? 0.0 : std::numeric_limits<double>::quiet_NaN();
  }
  double variance(double) const override {
    return dof_ > 2 ? scale_ * scale_ * dof_ / (dof_ - 2)
                    : std::numeric_limits<double>::infinity();
  }
  bool per_sample() const override { return true; }

 private:
  double scale_, dof_;
};

class PromptBiasNoise final : public RewardNoise {
 public:
  explicit PromptBiasNoise(const RewardConfig& c) : scale_(c.noise_scale) {}
  double error(uint64_t, uint64_t prompt_stream, double) const override {
    return scale_ * Rng(prompt_stream).normal();
  }
  double mean(double) const override { return 0.0; }
  double variance(double) const override { return scale_ * scale_; }

 private:
  double scale_;
};

class FeatureBiasNoise final : public RewardNoise {
 public:
  explicit FeatureBiasNoise(const RewardConfig& c) : scale_(c.noise_scale) {}
  double error(uint64_t, uint64_t, double feature) const override {
    return scale_ * feature;
  }
  double mean(double feature) const override { return scale_ * feature; }
  double variance(double) const override { return 0.0; }

 private:
  double scale_;
};

using NoiseRegistry = Registry<RewardNoise, NoiseTraits, const RewardConfig&>;

const NoiseRegistry& registry() {
  using R = NoiseRegistry;
  static const NoiseRegistry noises("reward noise",
                                    {
                                        R::entry<NoNoise>("none", NoiseTraits{false}),
                                        R::entry<GaussianNoise>("gaussian"),
                                        R::entry<StudentTNoise>("student_t"),
                                        R::entry<PromptBiasNoise>("prompt_bias"),
                                        R::entry<FeatureBiasNoise>("feature_bias"),
                                    });
  return noises;
}

const TraitTable<RewardModelTraits>& reward_models() {
  static const TraitTable<RewardModelTraits> models(
      "reward model", {{"synthetic", RewardModelTraits{false}, {}},
                       {"learned", RewardModelTraits{true}, {}}});
  return models;
}

constexpr uint64_t kPromptKeySalt = ~0ULL;

}  // namespace

std::vector<std::string> noise_names() { return registry().names(); }

const NoiseTraits& noise_traits(const std::string& noise) {
  return registry().traits(noise);
}

std::vector<std::string> reward_model_names() { return reward_models().names(); }

const RewardModelTraits& reward_model_traits(const std::string& model) {
  return reward_models().traits(model);
}

bool is_learned(const RewardConfig& config) {
  return reward_model_traits(config.model).learned;
}

std::unique_ptr<RewardNoise> make_noise(const RewardConfig& config) {
  return registry().make(config.noise, config);
}

RewardModel::RewardModel(const Task& task, const RewardConfig& config, uint64_t seed,
                         std::shared_ptr<const RewardOverride> external)
    : task_(task),
      config_(config),
      seed_(seed),
      noise_(make_noise(config)),
      external_(std::move(external)) {
  if (task.point_dim() > 0 && config.persistent && noise_->per_sample())
    field_ = std::make_unique<ErrorField>(*noise_, task.prompt_vocab(),
                                          task.point_dim(), config.noise_length, seed);
}

RewardModel::~RewardModel() = default;

void RewardModel::gold_of_all(uint64_t iteration, const Samples& s,
                              std::vector<double>& gold) const {
  gold.assign(s.size(), 0.0);
  if (external_ && external_->gold) {
    external_->gold(iteration, s, gold);
    return;
  }
  for (int32_t i = 0; i < s.size(); ++i) gold[i] = gold_of(task_, s, i);
}

void RewardModel::score(uint64_t iteration, const Samples& s, std::vector<double>& gold,
                        std::vector<double>& proxy) const {
  gold_of_all(iteration, s, gold);
  proxy.assign(s.size(), 0.0);
  if (external_ && external_->proxy) {
    external_->proxy(iteration, s, proxy);
    return;
  }
  for (int32_t p = 0; p < s.n_prompts(); ++p) {
    const int32_t* prompt = s.prompt(p);
    const uint64_t prompt_key = hash_tokens(prompt, s.prompt_length);
    const uint64_t id = static_cast<uint64_t>(s.prompt_ids[p]);
    const uint64_t prompt_stream =
        config_.persistent
            ? derive_seed(seed_, Purpose::kPersistentNoise, prompt_key, kPromptKeySalt)
            : derive_seed(seed_, Purpose::kFreshNoise, iteration, 2 * id + 1);
    for (int32_t j = 0; j < s.k; ++j) {
      const int32_t i = p * s.k + j;
      if (field_) {
        proxy[i] = gold[i] + (*field_)(prompt[0], s.point(i));
        continue;
      }
      // (A persistent error on points reaches here only when it ignores the
      // sample's stream: none, prompt_bias, feature_bias.)
      const uint64_t sample_stream =
          !config_.persistent
              ? derive_seed(seed_, Purpose::kFreshNoise, iteration, 2 * (id * s.k + j))
          : s.point_dim > 0
              ? 0
              : derive_seed(seed_, Purpose::kPersistentNoise, prompt_key,
                            hash_tokens(s.response(i), s.response_length));
      proxy[i] = gold[i] +
                 noise_->error(sample_stream, prompt_stream, feature_of(task_, s, i));
    }
  }
}

void RewardModel::score(uint64_t iteration, const RewardEnsemble& learned,
                        const Samples& s, std::vector<double>& gold,
                        std::vector<double>& proxy, std::vector<double>& spread) const {
  gold_of_all(iteration, s, gold);
  learned.score(task_, s, proxy, spread);
}

const ConfigSchema<RewardConfig>& reward_schema() {
  static const ConfigSchema<RewardConfig> schema = [] {
    ConfigSchema<RewardConfig> s;
    using C = RewardConfig;
    s.add_choice(
        "reward.model",
        "the proxy reward: synthetic (gold + reward.noise) or learned (a "
        "Bradley-Terry reward model trained on comparisons of pi_0 samples)",
        [](C & c) -> auto& { return c.model; }, reward_model_names());
    s.add_choice(
        "reward.noise", "synthetic: proxy reward error model",
        [](C & c) -> auto& { return c.noise; }, noise_names());
    s.add_double(
        "reward.noise_scale", "scale of the proxy reward error (sigma)",
        [](C & c) -> auto& { return c.noise_scale; }, 0.0, kInf);
    s.add_double(
        "reward.noise_dof", "student_t: degrees of freedom",
        [](C & c) -> auto& { return c.noise_dof; }, 0.0, kInf, true);
    s.add_bool(
        "reward.persistent",
        "error is a fixed function of (prompt, response) (true) or drawn afresh at "
        "every evaluation (false)",
        [](C & c) -> auto& { return c.persistent; });
    s.add_double(
        "reward.noise_length",
        "points: length scale of a persistent gaussian/student_t error field over "
        "the point",
        [](C & c) -> auto& { return c.noise_length; }, 0.0, kInf, true);
    s.add_int(
        "reward.rm_pairs", "learned: training comparisons of two pi_0 samples",
        [](C & c) -> auto& { return c.rm_pairs; }, 1, 1 << 24);
    s.add_int(
        "reward.rm_heldout_pairs",
        "learned: held-out comparisons of pi_0 samples (accuracy; their responses "
        "normalise the model)",
        [](C & c) -> auto& { return c.rm_heldout_pairs; }, 2, 1 << 24);
    s.add_double(
        "reward.label_noise",
        "learned: probability that a comparison's label is flipped",
        [](C & c) -> auto& { return c.label_noise; }, 0.0, 0.5);
    s.add_int(
        "reward.rm_hidden", "learned: reward model width (MLP units / GRU state)",
        [](C & c) -> auto& { return c.rm_hidden; }, 1, 1 << 14);
    s.add_int(
        "reward.rm_layers", "learned: MLP hidden layers / GRU layers",
        [](C & c) -> auto& { return c.rm_layers; }, 1, 16);
    s.add_double(
        "reward.rm_learning_rate", "learned: Adam learning rate",
        [](C & c) -> auto& { return c.rm_learning_rate; }, 0.0, kInf, true);
    s.add_int(
        "reward.rm_epochs",
        "learned: passes over the comparisons per training (at most, with "
        "reward.rm_validation > 0)",
        [](C & c) -> auto& { return c.rm_epochs; }, 1, 1 << 20);
    s.add_double(
        "reward.rm_validation",
        "learned: share of the training comparisons held back to stop training "
        "early: it ends after reward.rm_patience epochs without a higher "
        "validation accuracy and keeps the best epoch's weights (0 = every "
        "reward.rm_epochs epoch, no comparison held back)",
        [](C & c) -> auto& { return c.rm_validation; }, 0.0, 0.5);
    s.add_int(
        "reward.rm_patience",
        "learned: epochs without a higher validation accuracy before training stops",
        [](C & c) -> auto& { return c.rm_patience; }, 1, 1 << 20);
    s.add_int(
        "reward.rm_batch_size", "learned: comparisons per Adam step",
        [](C & c) -> auto& { return c.rm_batch_size; }, 1, 1 << 24);
    s.add_int(
        "reward.ensemble",
        "learned: ensemble members, each from its own initial weights",
        [](C & c) -> auto& { return c.ensemble; }, 1, 64);
    s.add_bool(
        "reward.ensemble_bootstrap",
        "learned: each member trains on a bootstrap resample of the comparisons",
        [](C & c) -> auto& { return c.ensemble_bootstrap; });
    s.add_choice(
        "reward.aggregate",
        "learned: how members combine: mean, min (worst case), uwo (mean - uwo_coef * "
        "variance)",
        [](C & c) -> auto& { return c.aggregate; }, {"mean", "min", "uwo"});
    s.add_double(
        "reward.uwo_coef", "learned, aggregate uwo: weight of the members' variance",
        [](C & c) -> auto& { return c.uwo_coef; }, 0.0, kInf);
    s.add_int(
        "reward.relabel_every",
        "learned: every n iterations, label reward.relabel_pairs comparisons of the "
        "current policy's samples and retrain (0 = never)",
        [](C & c) -> auto& { return c.relabel_every; }, 0, 1 << 30);
    s.add_int(
        "reward.relabel_pairs", "learned: comparisons added at each relabelling",
        [](C & c) -> auto& { return c.relabel_pairs; }, 1, 1 << 24);
    s.add_bool(
        "reward.relabel_from_scratch",
        "learned: retrain from fresh weights at each relabelling (false: continue "
        "from the previous version)",
        [](C & c) -> auto& { return c.relabel_from_scratch; });
    return s;
  }();
  return schema;
}

}  // namespace raftsim
