// DiffusionPolicy: a denoising diffusion model (DDPM, Ho et al. 2020) over
// the points task's continuous responses, conditioned on the context.
//
// Noise predictor eps_theta(x_t, t, c): an MLP of policy.layers hidden
// layers of width policy.hidden (SiLU), reading x_t and a sinusoidal
// embedding of t (32 features), with a learned embedding of the context
// added to its first hidden layer. policy.diffusion_steps = T steps under
// policy.schedule: linear (beta from 0.1/T to 20/T, Ho et al.'s 1e-4 to 0.02
// at T = 1000) or cosine (Nichol & Dhariwal 2021).
//
// Sampling (policy.sampler), every row of a chunk through each step as one
// batch:
//   ddpm  ancestral: x_T ~ N(0, lambda^2 I), then T steps
//         x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) eps) / sqrt(alpha_t)
//                   + lambda sigma_t z,   sigma_t^2 = beta_t (1 - abar_{t-1}) / (1 -
//                   abar_t)
//   ddim  deterministic DDIM (eta = 0) on policy.sample_steps evenly spaced
//         steps from x_T ~ N(0, lambda^2 I)
// The temperature lambda scales the injected noise: the starting point and,
// for ddpm, every step's. lambda = 1 samples the model; lambda < 1 sharpens
// it towards its modes; lambda = 0 gives one point per context (the
// analogue of greedy decoding).
//
// SFT (RAFT's fine-tuning, and the warm start on prior draws) is the
// denoising loss: with t ~ U{0..T-1} and eps ~ N(0, I) from the caller's
// stream, mean over coordinates of |eps_theta(sqrt(abar_t) x + sqrt(1 -
// abar_t) eps, t, c) - eps|^2 per row.
//
// A diffusion model gives no exact log-probability: log_prob() is NaN, and
// the token-level calls (sequence_nll, token_log_softmax) throw
// std::logic_error; the configuration refuses what would need them
// (ranker.kl_coef > 0, a KL or entropy term in a policy gradient).
//
// Each ancestral step with noise is a Gaussian, x_{t-1} ~ N(mu_theta(x_t,
// t, c), (lambda sigma_t)^2 I), so a ddpm chain has an exact log-density
// per step: the actions of a policy gradient over the chain (DDPO, Black et
// al. 2023). With record_chain(true), sample() keeps the T states that
// enter the T - 1 steps with noise (t = T-1 .. 1; the last step, t = 0,
// adds none) and each step's log-density; chain_log_prob() recomputes them
// under the current weights. The score function of those steps is the
// gradient DDPO follows: the last step's own dependence on the weights
// (x_0 = mu_theta(x_1, 0)) is not differentiated, as in DDPO.
#pragma once

#include <vector>

#include "models/policies/torch_policy.h"

namespace raftsim {

class DiffusionPolicy final : public TorchPolicy {
 public:
  // What the registry knows of it (models/policies/policy.h).
  static PolicyTraits traits();
  // Denoising steps per sample: policy.diffusion_steps, or for ddim
  // policy.sample_steps (at most diffusion_steps).
  static int32_t denoising_steps(const PolicyConfig& config);

  DiffusionPolicy(const PolicyConfig& config, const Task& task, uint64_t seed);

  void sample(double temperature, uint64_t seed, Samples& out) override;
  std::vector<double> log_prob(const Samples& samples, double temperature) override;
  bool has_log_prob() const override { return false; }
  void record_chain(bool on) override { record_chain_ = on; }
  std::unique_ptr<Policy> clone() const override;

  torch::nn::Module& module() override { return net_; }
  torch::Tensor sequence_nll(const torch::Tensor& prompts,
                             const torch::Tensor& responses,
                             bool include_prompt) override;
  torch::Tensor token_log_softmax(const torch::Tensor& prompts,
                                  const torch::Tensor& responses,
                                  double temperature) override;
  int64_t prompt_vocab() const override { return contexts_; }
  int64_t response_vocab() const override { return 0; }

  torch::Tensor sft_loss(const SftRows& rows, bool include_prompt) override;
  torch::Tensor sft_noise(int64_t rows, at::Generator& gen) const override;

  // eps_theta(x [N, D] float, t [N] int64, c [N] int64): [N, D].
  torch::Tensor predict_noise(const torch::Tensor& x, const torch::Tensor& t,
                              const torch::Tensor& c);
  torch::Tensor chain_log_prob(const torch::Tensor& chain,
                               const torch::Tensor& contexts,
                               double temperature) override;

  // A ddpm chain's record: states [n, S + 1, D] and step log-densities [n, S].
  struct Chain {
    torch::Tensor states, log_density;
  };
  // Samples of n rows with contexts `c` [n] int64 from the RNG `seed`
  // (what sample() runs on a chunk's rows): [n, D]. With `chain` (ddpm,
  // temperature > 0), also the chain that produced them.
  torch::Tensor draw(const torch::Tensor& c, double temperature, uint64_t seed,
                     Chain* chain = nullptr);

  int32_t steps() const { return steps_; }
  // sigma_t of the ancestral step t = 1 .. T-1 at temperature 1.
  double step_sigma(int64_t step) const;

 private:
  PolicyConfig config_;
  const Task& task_;
  // mu_theta(x_t, t, c) of an ancestral step (t [n] all equal to `step`),
  // and its log-density of `next` at standard deviation `sigma` [n].
  torch::Tensor step_mean(const torch::Tensor& x, int64_t step, const torch::Tensor& t,
                          const torch::Tensor& c);
  torch::Tensor step_log_density(const torch::Tensor& next, const torch::Tensor& mean,
                                 double sigma) const;

  int32_t dim_, contexts_, steps_;
  bool record_chain_ = false;
  std::vector<double> beta_, alpha_bar_;  // [T]
  torch::Tensor time_features_;           // [T, 32] sinusoidal, not trained
  torch::nn::Module net_;
  torch::nn::Embedding context_{nullptr};
  torch::nn::Linear input_{nullptr}, output_{nullptr};
  std::vector<torch::nn::Linear> hidden_;
};

}  // namespace raftsim
