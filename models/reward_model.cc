#include "models/reward_model.h"

#include <limits>

#include "core/config.h"
#include "core/registry.h"
#include "core/rng.h"
#include "models/task.h"

namespace raftsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

namespace {

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

using NoiseRegistry = Registry<RewardNoise, const RewardConfig&>;

const NoiseRegistry& registry() {
  static const NoiseRegistry noises(
      "reward noise",
      {
          entry<RewardNoise, NoNoise, const RewardConfig&>("none"),
          entry<RewardNoise, GaussianNoise, const RewardConfig&>("gaussian"),
          entry<RewardNoise, StudentTNoise, const RewardConfig&>("student_t"),
          entry<RewardNoise, PromptBiasNoise, const RewardConfig&>("prompt_bias"),
          entry<RewardNoise, FeatureBiasNoise, const RewardConfig&>("feature_bias"),
      });
  return noises;
}

constexpr uint64_t kPromptKeySalt = ~0ULL;

}  // namespace

std::vector<std::string> noise_names() { return registry().names(); }

std::unique_ptr<RewardNoise> make_noise(const RewardConfig& config) {
  return registry().make(config.noise, config);
}

RewardModel::RewardModel(const Task& task, const RewardConfig& config, uint64_t seed)
    : task_(task), config_(config), seed_(seed), noise_(make_noise(config)) {}

RewardModel::~RewardModel() = default;

void RewardModel::score(uint64_t iteration, const Samples& s, std::vector<double>& gold,
                        std::vector<double>& proxy) const {
  gold.resize(s.size());
  proxy.resize(s.size());
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
      const int32_t* response = s.response(i);
      const uint64_t sample_stream =
          config_.persistent
              ? derive_seed(seed_, Purpose::kPersistentNoise, prompt_key,
                            hash_tokens(response, s.response_length))
              : derive_seed(seed_, Purpose::kFreshNoise, iteration, 2 * (id * s.k + j));
      gold[i] = task_.gold(prompt, response);
      proxy[i] = gold[i] + noise_->error(sample_stream, prompt_stream,
                                         task_.feature(prompt, response));
    }
  }
}

const ConfigSchema<RewardConfig>& reward_schema() {
  static const ConfigSchema<RewardConfig> schema = [] {
    ConfigSchema<RewardConfig> s;
    using C = RewardConfig;
    s.add_choice(
        "reward.noise", "proxy reward error model",
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
    return s;
  }();
  return schema;
}

}  // namespace raftsim
