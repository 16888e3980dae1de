#include "models/transformer_policy.h"

#include <cmath>
#include <stdexcept>

#include "models/task.h"

namespace raftsim {

namespace nn = torch::nn;

TransformerPolicy::TransformerPolicy(const PolicyConfig& config, const Task& task,
                                     uint64_t seed)
    : SequencePolicy(config, task),
      d_(config.d_model),
      heads_(config.heads),
      max_positions_(task.prompt_length() + task.response_length()) {
  if (d_ % heads_ != 0)
    throw std::invalid_argument("policy.d_model must be divisible by policy.heads");
  tok_ = net_.register_module("tok", nn::Embedding(vocab_, d_));
  pos_ = net_.register_module("pos", nn::Embedding(max_positions_, d_));
  for (int32_t l = 0; l < config.layers; ++l) {
    const std::string p = "block" + std::to_string(l) + "_";
    Block b;
    b.ln1 = net_.register_module(p + "ln1", nn::LayerNorm(nn::LayerNormOptions({d_})));
    b.qkv = net_.register_module(p + "qkv", nn::Linear(d_, 3 * d_));
    b.proj = net_.register_module(p + "proj", nn::Linear(d_, d_));
    b.ln2 = net_.register_module(p + "ln2", nn::LayerNorm(nn::LayerNormOptions({d_})));
    b.fc1 = net_.register_module(p + "fc1", nn::Linear(d_, config.ff));
    b.fc2 = net_.register_module(p + "fc2", nn::Linear(config.ff, d_));
    blocks_.push_back(b);
  }
  ln_f_ = net_.register_module("ln_f", nn::LayerNorm(nn::LayerNormOptions({d_})));
  head_ = net_.register_module("head", nn::Linear(d_, vocab_));
  init_weights(seed, [](const std::string&, torch::Tensor& w, at::Generator& gen) {
    w.normal_(0.0, 0.02, gen);
  });
}

std::unique_ptr<SequencePolicy> TransformerPolicy::make_empty() const {
  return std::make_unique<TransformerPolicy>(config_, task_, 0);
}

torch::Tensor TransformerPolicy::blocks(torch::Tensor h, int64_t offset, bool cache) {
  const int64_t B = h.size(0), T = h.size(1), dh = d_ / heads_;
  const double scale = 1.0 / std::sqrt(static_cast<double>(dh));
  // Causal mask for the T new positions against all offset + T positions.
  torch::Tensor mask;
  if (T > 1) {
    mask = torch::ones({T, offset + T}, torch::kBool).triu(offset + 1);
  }
  for (size_t l = 0; l < blocks_.size(); ++l) {
    Block& b = blocks_[l];
    auto qkv = b.qkv(b.ln1(h)).view({B, T, 3, heads_, dh}).permute({2, 0, 3, 1, 4});
    auto q = qkv[0], k = qkv[1], v = qkv[2];  // [B, H, T, dh]
    if (cache) {
      k_cache_[l].narrow(2, offset, T).copy_(k);
      v_cache_[l].narrow(2, offset, T).copy_(v);
      k = k_cache_[l].narrow(2, 0, offset + T);
      v = v_cache_[l].narrow(2, 0, offset + T);
    }
    torch::Tensor y;
    if (T == 1) {
      // One new position: scores and mixing as broadcasts over the cached
      // positions; batched 1-row matmuls on strided cache views cost more.
      const auto att = (k * q).sum(-1) * scale;                // [B, H, offset + 1]
      y = (torch::softmax(att, -1).unsqueeze(-1) * v).sum(2);  // [B, H, dh]
      y = y.reshape({B, 1, d_});
    } else {
      auto att =
          torch::matmul(q, k.transpose(-2, -1)) * scale;  // [B, H, T, offset + T]
      if (mask.defined())
        att = att.masked_fill(mask, -std::numeric_limits<float>::infinity());
      y = torch::matmul(torch::softmax(att, -1), v);  // [B, H, T, dh]
      y = y.permute({0, 2, 1, 3}).reshape({B, T, d_});
    }
    h = h + b.proj(y);
    h = h + b.fc2(torch::gelu(b.fc1(b.ln2(h))));
  }
  return head_(ln_f_(h));
}

torch::Tensor TransformerPolicy::forward(const torch::Tensor& tokens) {
  const int64_t T = tokens.size(1);
  const auto h = tok_(tokens) + pos_(torch::arange(T, torch::kInt64)).unsqueeze(0);
  return blocks(h, 0, /*cache=*/false);
}

torch::Tensor TransformerPolicy::begin(const torch::Tensor& prompts,
                                       int64_t max_length) {
  const int64_t B = prompts.size(0), P = prompts.size(1), dh = d_ / heads_;
  if (max_length > max_positions_)
    throw std::invalid_argument("sequence longer than positions");
  k_cache_.clear();
  v_cache_.clear();
  for (size_t l = 0; l < blocks_.size(); ++l) {
    k_cache_.push_back(torch::empty({B, heads_, max_length, dh}));
    v_cache_.push_back(torch::empty({B, heads_, max_length, dh}));
  }
  const auto h = tok_(prompts) + pos_(torch::arange(P, torch::kInt64)).unsqueeze(0);
  const auto logits = blocks(h, 0, /*cache=*/true);
  cached_ = P;
  return logits.select(1, P - 1);
}

torch::Tensor TransformerPolicy::step(const torch::Tensor& tokens) {
  const auto h = tok_(tokens.view({-1, 1})) +
                 pos_(torch::full({1}, cached_, torch::kInt64)).unsqueeze(0);
  const auto logits = blocks(h, cached_, /*cache=*/true);
  ++cached_;
  return logits.select(1, 0);
}

}  // namespace raftsim
