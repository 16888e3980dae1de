// Learned reward models: a Bradley-Terry reward model (or an ensemble of M)
// trained on comparisons (models/rewards/preferences.h), as RAFT's proxy reward.
//
//   split       a share rm_validation of all comparisons so far (drawn from
//               (seed, version)) is held back as a validation set; the rest
//               trains (with fewer than 20 validation comparisons, whose
//               accuracy is too coarse to choose an epoch: all train, every
//               epoch)
//   train       each member: fresh weights from (seed, version, member), or,
//               when relabelling continues training, the previous version's;
//               up to rm_epochs passes of Adam (rm_learning_rate,
//               rm_batch_size) on the Bradley-Terry loss
//               -[y log s(r1 - r2) + (1-y) log s(r2 - r1)] over the training
//               comparisons (a bootstrap resample of them per member with
//               ensemble_bootstrap); minibatch order from
//               (seed, version, member, epoch)
//   stop early  after each epoch, the share of the validation set the member
//               orders as labelled (flips included: what a practitioner
//               sees; under random flips an affine function of the share it
//               orders as gold); training ends rm_patience epochs after the
//               first epoch of the highest, and the member keeps that
//               epoch's weights (`epochs`). Accuracy, not the loss: the loss
//               turns up while the order still improves (a GRU on the
//               sequence task: lowest loss at epoch 11, held-out accuracy
//               0.58 there, 0.67 at epoch 60)
//   normalise   each member to mean 0, std 1 over the held-out comparisons'
//               responses (pi_0 samples)
//   aggregate   mean, min, or uwo = mean - uwo_coef * variance (population
//               variance over members); `spread` is their std
// A RewardEnsemble is immutable once trained, so reward workers share it as
// a versioned snapshot, like policy weights. This header is torch-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/rewards/preferences.h"
#include "models/rewards/reward_model.h"

namespace raftsim {

class Policy;
class Task;

// One tensor of a member, as plain data (the run file stores these).
struct NamedValues {
  std::string name;
  std::vector<size_t> shape;
  std::vector<double> values;
};

class RewardEnsemble {
 public:
  struct Impl;
  explicit RewardEnsemble(std::unique_ptr<Impl> impl);
  ~RewardEnsemble();

  uint64_t version() const;
  int32_t members() const;
  int64_t parameters() const;  // over all members

  // Normalised scores of every sample, one vector per member.
  std::vector<std::vector<double>> member_scores(const Task& task,
                                                 const Samples& samples) const;
  // The aggregate (what the ranker sees) and the members' std, per sample.
  // Thread-safe.
  void score(const Task& task, const Samples& samples, std::vector<double>& proxy,
             std::vector<double>& spread) const;
  // Share of comparisons whose order the aggregate gets right, against their
  // gold labels (`gold` true) or as labelled; pairs with equal gold (label
  // 0.5) and equal scores are left out. NaN if none is left.
  double accuracy(const Task& task, const Comparisons& comparisons, bool gold) const;

  // Member m's tensors (named as in the module) and normalisation.
  std::vector<NamedValues> tensors(int32_t member) const;
  double norm_mean(int32_t member) const;
  double norm_std(int32_t member) const;
  // Member m's kept epoch (its weights after that many passes) and its
  // validation accuracy there (NaN without a validation set).
  int32_t epochs(int32_t member) const;
  double validation_accuracy(int32_t member) const;

 private:
  friend class RewardModelTrainer;
  std::unique_ptr<Impl> impl_;
};

// The aggregate of member scores `s` (normalised) under config.aggregate.
double aggregate_scores(const std::vector<double>& s, const RewardConfig& config);

// The initial data: rm_pairs training and rm_heldout_pairs held-out
// comparisons of pi_0 samples at `temperature`.
struct RewardData {
  Comparisons train, heldout;
};
RewardData initial_comparisons(const Task& task, const Policy& initial,
                               const RewardConfig& config, double temperature,
                               uint64_t seed);

// Makes the versions: version 0 on the initial data, then version v on it
// plus every relabelled set up to v. Not thread-safe; owned by one actor.
class RewardModelTrainer {
 public:
  RewardModelTrainer(const Task& task, const RewardConfig& config, uint64_t seed,
                     RewardData data);
  ~RewardModelTrainer();

  // Adds `added` to the data and trains the next version (`added` empty for
  // version 0). With a stop flag set (set_stop), it throws
  // RewardTrainingInterrupted within one batch.
  std::shared_ptr<const RewardEnsemble> train(const Comparisons& added);
  // A Ctrl-C during the reward model's training before a run starts is
  // honoured within one batch, not at its end (null: never stops).
  void set_stop(const std::atomic<bool>* stop) { stop_ = stop; }

  const Comparisons& heldout() const { return data_.heldout; }
  int32_t pairs() const { return data_.train.size(); }
  uint64_t next_version() const { return next_version_; }

 private:
  const Task& task_;
  RewardConfig config_;
  uint64_t seed_;
  RewardData data_;
  uint64_t next_version_ = 0;
  std::shared_ptr<const RewardEnsemble> previous_;
  const std::atomic<bool>* stop_ = nullptr;
};

struct RewardTrainingInterrupted : std::runtime_error {
  RewardTrainingInterrupted()
      : std::runtime_error("interrupted while the reward model trained") {}
};

}  // namespace raftsim
