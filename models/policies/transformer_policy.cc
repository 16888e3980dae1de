#include "models/policies/transformer_policy.h"

#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "core/errors.h"
#include "models/policies/transformer_training.h"
#include "models/tasks/task.h"

namespace raftsim {

namespace nn = torch::nn;

PolicyTraits TransformerPolicy::traits() {
  PolicyTraits t;
  t.needs = &SequencePolicy::token_needs;
  t.check = [](const PolicyConfig& c) {
    if (c.d_model % c.heads != 0)
      throw ConfigError("policy.heads", std::to_string(c.heads),
                        "a divisor of policy.d_model = " + std::to_string(c.d_model));
  };
  t.size = [](const PolicyConfig& c, const TaskConfig& task, const TaskShape& shape) {
    const double d = c.d_model, L = c.layers, V = task.vocab;
    const double positions = shape.prompt_length + shape.response_length;
    PolicySize s;
    s.params = 2 * V * d + positions * d + L * (4 * d * d + 2 * d * c.ff + 8 * d);
    s.cache_per_row = s.chunk_per_row = cache_bytes(c, shape);
    s.chunk_what = "KV caches";
    return s;
  };
  t.flops = [](const PolicyConfig& c, const TaskConfig& task, const IterationWork& w) {
    return iteration_flops(
        [](const PolicyConfig& c, const TaskConfig& task, double rows, double T,
           double offset, double logit_rows) {
          return TransformerDecoder::multiply_adds(
              c.d_model, c.ff, task.vocab, c.layers, rows, T, offset, logit_rows);
        },
        c, task, w);
  };
  return t;
}

TransformerPolicy::TransformerPolicy(const PolicyConfig& config, const Task& task,
                                     uint64_t seed)
    : SequencePolicy(config, task),
      d_(config.d_model),
      heads_(config.heads),
      max_positions_(task.prompt_length() + task.response_length()),
      decoder_(config.d_model, config.heads, config.ff, vocab_, max_positions_) {
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

torch::Tensor TransformerPolicy::blocks(torch::Tensor h) {
  const int64_t B = h.size(0), T = h.size(1), dh = d_ / heads_;
  const double scale = 1.0 / std::sqrt(static_cast<double>(dh));
  const auto mask = torch::ones({T, T}, torch::kBool).triu(1);
  for (auto& b : blocks_) {
    auto qkv = b.qkv(b.ln1(h)).view({B, T, 3, heads_, dh}).permute({2, 0, 3, 1, 4});
    const auto q = qkv[0], k = qkv[1], v = qkv[2];  // [B, H, T, dh]
    const auto att = (torch::matmul(q, k.transpose(-2, -1)) * scale)
                         .masked_fill(mask, -std::numeric_limits<float>::infinity());
    const auto y = torch::matmul(torch::softmax(att, -1), v)  // [B, H, T, dh]
                       .permute({0, 2, 1, 3})
                       .reshape({B, T, d_});
    h = h + b.proj(y);
    h = h + b.fc2(torch::gelu(b.fc1(b.ln2(h))));
  }
  return h;
}

torch::Tensor TransformerPolicy::forward(const torch::Tensor& tokens) {
  const auto h = tok_(tokens) + pos_->weight.narrow(0, 0, tokens.size(1)).unsqueeze(0);
  return head_(ln_f_(blocks(h)));
}

TransformerDecoder::Weights TransformerPolicy::decoder_weights() const {
  const auto f = [](const torch::Tensor& t) {
    if (!t.is_contiguous() || t.scalar_type() != torch::kFloat)
      throw std::logic_error("TransformerPolicy: weights must be contiguous float");
    return t.data_ptr<float>();
  };
  TransformerDecoder::Weights w;
  w.tok = f(tok_->weight);
  w.pos = f(pos_->weight);
  for (const auto& b : blocks_)
    w.layers.push_back({f(b.ln1->weight), f(b.ln1->bias), f(b.qkv->weight),
                        f(b.qkv->bias), f(b.proj->weight), f(b.proj->bias),
                        f(b.ln2->weight), f(b.ln2->bias), f(b.fc1->weight),
                        f(b.fc1->bias), f(b.fc2->weight), f(b.fc2->bias)});
  w.ln_f_w = f(ln_f_->weight);
  w.ln_f_b = f(ln_f_->bias);
  w.head_w = f(head_->weight);
  w.head_b = f(head_->bias);
  return w;
}

torch::Tensor TransformerPolicy::begin(const torch::Tensor& prompts,
                                       int64_t max_length) {
  const auto p = prompts.to(torch::kInt64).contiguous();
  auto logits = torch::empty({p.size(0), vocab_});
  weights_ = decoder_weights();  // fixed until the next begin()
  decoder_.begin(weights_, p.data_ptr<int64_t>(), p.size(0), p.size(1), max_length,
                 logits.data_ptr<float>());
  return logits;
}

void TransformerPolicy::repeat_rows(int64_t k) { decoder_.repeat_rows(k); }

torch::Tensor TransformerPolicy::extend(const torch::Tensor& tokens) {
  const auto t = tokens.to(torch::kInt64).contiguous();
  if (t.size(0) != decoder_.rows())
    throw std::invalid_argument("TransformerPolicy::extend: rows differ from begin()");
  auto logits = torch::empty({t.size(0), t.size(1), vocab_});
  decoder_.extend(weights_, t.data_ptr<int64_t>(), t.size(1), logits.data_ptr<float>());
  return logits;
}

void TransformerPolicy::with_training(
    std::vector<torch::Tensor>& grads,
    const std::function<void(TransformerTraining&, const TransformerDecoder::Weights&,
                             const TransformerTraining::Grads&)>& pass) {
  // Each weight's gradient buffer, found by the weight's address.
  grads.clear();
  std::unordered_map<const float*, float*> grad_of;
  for (const auto& p : net_.parameters()) {
    grads.push_back(torch::zeros_like(p));
    grad_of[p.data_ptr<float>()] = grads.back().data_ptr<float>();
  }
  const TransformerDecoder::Weights w = decoder_weights();
  const auto g = [&grad_of](const float* weight) { return grad_of.at(weight); };
  TransformerTraining::Grads G;
  G.tok = g(w.tok);
  G.pos = g(w.pos);
  for (const auto& L : w.layers)
    G.layers.push_back({g(L.ln1_w), g(L.ln1_b), g(L.qkv_w), g(L.qkv_b), g(L.proj_w),
                        g(L.proj_b), g(L.ln2_w), g(L.ln2_b), g(L.fc1_w), g(L.fc1_b),
                        g(L.fc2_w), g(L.fc2_b)});
  G.ln_f_w = g(w.ln_f_w);
  G.ln_f_b = g(w.ln_f_b);
  G.head_w = g(w.head_w);
  G.head_b = g(w.head_b);
  std::unique_ptr<TransformerTraining> training;
  {
    std::lock_guard<std::mutex> lock(workspaces_->mutex);
    if (!workspaces_->idle.empty()) {
      training = std::move(workspaces_->idle.back());
      workspaces_->idle.pop_back();
    }
  }
  if (!training)
    training = std::make_unique<TransformerTraining>(d_, heads_, config_.ff, vocab_);
  // Back to the pool on every exit, a throw included.
  struct GiveBack {
    Workspaces& pool;
    std::unique_ptr<TransformerTraining>& training;
    ~GiveBack() {
      std::lock_guard<std::mutex> lock(pool.mutex);
      pool.idle.push_back(std::move(training));
    }
  } give_back{*workspaces_, training};
  pass(*training, w, G);
}

bool TransformerPolicy::sft_gradient(const SftRows& rows, bool include_prompt,
                                     double scale, std::vector<torch::Tensor>& grads,
                                     double& loss) {
  const int64_t P = rows.prompts.size(1), R = rows.responses.size(1);
  const auto tokens =
      torch::cat({rows.prompts, rows.responses}, 1).to(torch::kInt64).contiguous();
  with_training(
      grads, [&](TransformerTraining& training, const TransformerDecoder::Weights& w,
                 const TransformerTraining::Grads& G) {
        loss = scale * training.loss(w, tokens.data_ptr<int64_t>(), rows.rows(), P, R,
                                     include_prompt, scale, &G);
      });
  return true;
}

bool TransformerPolicy::logp_gradient(const torch::Tensor& prompts,
                                      const torch::Tensor& responses,
                                      double temperature, const LogpLoss& loss_of,
                                      std::vector<torch::Tensor>& grads, double& loss) {
  const int64_t n = prompts.size(0), P = prompts.size(1), R = responses.size(1);
  const auto tokens =
      torch::cat({prompts, responses}, 1).to(torch::kInt64).contiguous();
  std::vector<float> logp(static_cast<size_t>(n * R)), dlogp(logp.size());
  with_training(grads,
                [&](TransformerTraining& training, const TransformerDecoder::Weights& w,
                    const TransformerTraining::Grads& G) {
                  training.response_logp(w, tokens.data_ptr<int64_t>(), n, P, R,
                                         temperature, logp.data());
                  loss = loss_of(logp.data(), dlogp.data(), n * R);
                  training.logp_backward(w, dlogp.data(), G);
                });
  return true;
}

}  // namespace raftsim
