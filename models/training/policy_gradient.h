// The policy-gradient pieces the trainers share (trainer.algorithm), as
// plain functions testable without a trainer:
//   rloo    REINFORCE with the leave-one-out baseline over the K responses
//           of a prompt: A_i = r_i - mean_{j != i} r_j (Ahmadian et al. 2024)
//   grpo    group-normalised A_i = (r_i - mean) / (std + 1e-8) (population
//           std over the K; Shao et al. 2024), clipped ratio
//   ppo     token-level advantages by GAE (gamma 1, trainer.gae_lambda)
//           from a learned value function, clipped ratio
//   raftpp  RAFT++ (Xiong et al. 2025): A = 1 on the accepted samples,
//           clipped ratio, several epochs
// The ratio is pi_theta(y_i | ...) / pi_behaviour(y_i | ...) per token, the
// behaviour policy being the version that generated the sample (so it also
// corrects for actors.max_staleness).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace raftsim {

// Per-row advantages of rewards in consecutive groups of `group` rows.
std::vector<double> rloo_advantages(const std::vector<double>& reward, int32_t group);
std::vector<double> group_normalised_advantages(const std::vector<double>& reward,
                                                int32_t group);

// Per-token policy-gradient loss [n, R]: -ratio * A (clip <= 0), or
// PPO's -min(ratio * A, clamp(ratio, 1 - clip, 1 + clip) * A).
// logp, behaviour_logp, advantage: [n, R].
torch::Tensor surrogate_loss(const torch::Tensor& logp,
                             const torch::Tensor& behaviour_logp,
                             const torch::Tensor& advantage, double clip);

// The same loss summed over `count` tokens times `scale`, without autograd:
// returns it and writes its derivative in each logp into dlogp, as autograd
// differentiates surrogate_loss (clamp passes the gradient through on
// [1 - clip, 1 + clip], edges included). Float arithmetic per token, as the
// tensors are float; the sum in double.
double surrogate_gradient(const float* logp, const float* behaviour_logp,
                          const float* advantage, int64_t count, double clip,
                          double scale, float* dlogp);

// GAE with gamma = 1 over R response tokens whose only reward is r at the
// last token: values [n, R] (V of the state before each token), rewards [n].
// Returns the advantages [n, R]; returns = advantages + values.
torch::Tensor gae_advantages(const torch::Tensor& values, const torch::Tensor& reward,
                             double lambda);

}  // namespace raftsim
