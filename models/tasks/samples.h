// Plain data that flows through the RAFT loop: a chunk of sampled responses
// and the accepted set handed to the trainer. No torch here, so actors and
// tests can include it cheaply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace raftsim {

// n_prompts prompts with k responses each, prompt-major: sample i = p * k + j
// is response j of prompt p. A response is response_length tokens, or, on a
// continuous task (task.name = points), a point of point_dim floats and no
// tokens.
//
// A policy gradient's actions are a response's tokens, or, for a diffusion
// policy whose generator records its chain (Policy::record_chain), the
// chain_steps stochastic denoising steps that led to the point: the chain
// holds the chain_steps + 1 states they went through (x_T first, the input
// of the last, noise-free step last), and token_logp each step's Gaussian
// log-density.
struct Samples {
  int32_t prompt_length = 0;
  int32_t response_length = 0;
  int32_t point_dim = 0;
  int32_t k = 0;
  uint64_t policy_version = 0;      // the snapshot that produced them
  std::vector<int32_t> prompt_ids;  // [n_prompts] index within the iteration
  std::vector<int32_t> prompts;     // [n_prompts * prompt_length]
  std::vector<int32_t> responses;   // [n_prompts * k * response_length]
  std::vector<float> points;        // [n_prompts * k * point_dim]
  // [n] log pi_v(y|x) at the sampling temperature (NaN for a diffusion
  // policy, which has no exact log-probability)
  std::vector<double> logp;
  std::vector<double> logp_initial;  // [n] log pi_0(y|x) at the sampling temperature
  // [n * actions()] log pi_v of each action at the sampling temperature: per
  // token, log pi_v(y_i | x, y_<i) (logp is their sum); per denoising step,
  // log N(x_{t-1}; mu_v(x_t, t), (lambda sigma_t)^2 I). Importance ratios of
  // the policy-gradient trainers.
  std::vector<double> token_logp;
  int32_t chain_steps = 0;   // recorded stochastic denoising steps (0: none)
  std::vector<float> chain;  // [n * (chain_steps + 1) * point_dim]

  int32_t actions() const { return chain_steps > 0 ? chain_steps : response_length; }
  int32_t n_prompts() const { return static_cast<int32_t>(prompt_ids.size()); }
  int32_t size() const { return n_prompts() * k; }
  const int32_t* prompt(int32_t p) const { return prompts.data() + p * prompt_length; }
  const int32_t* response(int32_t i) const {
    return responses.data() + i * response_length;
  }
  const float* point(int32_t i) const {
    return points.data() + static_cast<size_t>(i) * point_dim;
  }
};

// (prompt, response) pairs to fine-tune on, row-major, with what the
// policy-gradient trainers also read (models/training/policy_gradient.h).
struct TrainBatch {
  int32_t prompt_length = 0;
  int32_t response_length = 0;
  int32_t point_dim = 0;
  std::vector<int32_t> prompts;      // [n * prompt_length]
  std::vector<int32_t> responses;    // [n * response_length]
  std::vector<float> points;         // [n * point_dim]
  int32_t group = 1;                 // consecutive rows that answer one prompt
  std::vector<double> reward;        // [n] proxy reward
  std::vector<double> logp_initial;  // [n] log pi_0(y|x), sampling temperature
  std::vector<double> token_logp;    // [n * actions()] behaviour policy
  int32_t chain_steps = 0;           // as in Samples
  std::vector<float> chain;          // [n * (chain_steps + 1) * point_dim]

  int32_t actions() const { return chain_steps > 0 ? chain_steps : response_length; }
  int32_t size() const {
    return prompt_length ? static_cast<int32_t>(prompts.size()) / prompt_length : 0;
  }
};

}  // namespace raftsim
