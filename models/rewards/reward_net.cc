#include "models/rewards/reward_net.h"

#include <cmath>
#include <functional>
#include <stdexcept>

#include "models/policies/torch_policy.h"
#include "models/rewards/preferences.h"
#include "models/rewards/reward_model.h"
#include "models/tasks/samples.h"
#include "models/tasks/task.h"

namespace raftsim {

namespace nn = torch::nn;

RewardNetShape reward_net_shape(const Task& task, const RewardConfig& config) {
  RewardNetShape s;
  s.hidden = config.rm_hidden;
  s.layers = config.rm_layers;
  if (task.feature_dim() > 0)
    s.features = task.feature_dim();
  else if (task.point_dim() > 0)
    s.features = task.prompt_length() * task.prompt_vocab() + task.point_dim();
  else if (task.reads_tokens())
    s.vocab = task.prompt_vocab() + task.response_vocab();
  else
    throw std::invalid_argument("a learned reward model cannot read this task");
  return s;
}

RewardNetImpl::RewardNetImpl(const RewardNetShape& shape) : shape_(shape) {
  const int64_t h = shape.hidden;
  if (shape.features > 0) {
    mlp_ = register_module("mlp", nn::Sequential());
    int64_t in = shape.features;
    for (int32_t l = 0; l < shape.layers; ++l) {
      mlp_->push_back(nn::Linear(in, h));
      mlp_->push_back(nn::ReLU());
      in = h;
    }
    head_ = register_module("head", nn::Linear(in, 1));
  } else {
    embed_ = register_module("embed", nn::Embedding(shape.vocab, h));
    gru_ = register_module(
        "gru",
        nn::GRU(nn::GRUOptions(h, h).num_layers(shape.layers).batch_first(true)));
    head_ = register_module("head", nn::Linear(h, 1));
  }
}

torch::Tensor RewardNetImpl::forward(const torch::Tensor& input) {
  if (shape_.features > 0) return head_(mlp_->forward(input)).squeeze(1);
  auto out = std::get<0>(gru_(embed_(input)));
  return head_(out.select(1, out.size(1) - 1)).squeeze(1);
}

void RewardNetImpl::init_weights(uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto gen = make_generator(seed);
  for (auto& item : named_parameters()) {
    torch::Tensor& p = item.value();
    const std::string& name = item.key();
    if (name.find("bias") != std::string::npos) {
      p.zero_();
      continue;
    }
    // Embeddings N(0, 1) as LibTorch does; matrices by their input width.
    if (name.find("embed") != std::string::npos) {
      p.normal_(0.0, 1.0, gen);
      continue;
    }
    const double bound = 1.0 / std::sqrt(static_cast<double>(p.size(p.dim() - 1)));
    p.uniform_(-bound, bound, gen);
  }
}

namespace {

// Row i's prompt tokens, response tokens, and (continuous tasks) point.
struct Rows {
  std::function<const int32_t*(int32_t)> prompt, response;
  std::function<const float*(int32_t)> point;
};

torch::Tensor encode_features(const Task& task, int32_t n, const Rows& rows) {
  const int32_t D = task.feature_dim();
  auto x = torch::empty({n, D}, torch::kFloat32);
  float* out = x.data_ptr<float>();
  for (int32_t i = 0; i < n; ++i) {
    const float* f = task.features(rows.prompt(i), rows.response(i));
    std::copy(f, f + D, out + static_cast<size_t>(i) * D);
  }
  return x;
}

// The prompt one-hot, token by token, then the point.
torch::Tensor encode_points(const Task& task, int32_t n, const Rows& rows) {
  const int32_t P = task.prompt_length(), V = task.prompt_vocab(), D = task.point_dim();
  const int32_t width = P * V + D;
  auto x = torch::zeros({n, width}, torch::kFloat32);
  float* out = x.data_ptr<float>();
  for (int32_t i = 0; i < n; ++i) {
    float* row = out + static_cast<size_t>(i) * width;
    const int32_t* p = rows.prompt(i);
    for (int32_t j = 0; j < P; ++j) row[j * V + p[j]] = 1.0F;
    const float* point = rows.point(i);
    std::copy(point, point + D, row + P * V);
  }
  return x;
}

torch::Tensor encode_tokens(const Task& task, int32_t n, const Rows& rows) {
  const int32_t P = task.prompt_length(), R = task.response_length();
  const int64_t offset = task.prompt_vocab();
  auto x = torch::empty({n, P + R}, torch::kInt64);
  int64_t* out = x.data_ptr<int64_t>();
  for (int32_t i = 0; i < n; ++i) {
    int64_t* row = out + static_cast<size_t>(i) * (P + R);
    const int32_t* p = rows.prompt(i);
    const int32_t* r = rows.response(i);
    for (int32_t j = 0; j < P; ++j) row[j] = p[j];
    for (int32_t j = 0; j < R; ++j) row[P + j] = offset + r[j];
  }
  return x;
}

torch::Tensor encode(const Task& task, int32_t n, const Rows& rows) {
  if (task.feature_dim() > 0) return encode_features(task, n, rows);
  if (task.point_dim() > 0) return encode_points(task, n, rows);
  return encode_tokens(task, n, rows);
}

}  // namespace

torch::Tensor reward_inputs(const Task& task, const Samples& s) {
  return encode(task, s.size(),
                {[&s](int32_t i) { return s.prompt(i / s.k); },
                 [&s](int32_t i) { return s.response(i); },
                 [&s](int32_t i) { return s.point(i); }});
}

torch::Tensor reward_inputs(const Task& task, const Comparisons& c, int side) {
  return encode(task, c.size(),
                {[&c](int32_t i) { return c.prompt(i); },
                 [&c, side](int32_t i) { return c.response(i, side); },
                 [&c, side](int32_t i) { return c.point(i, side); }});
}

}  // namespace raftsim
