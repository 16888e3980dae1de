#include "models/policies/sequence_policy.h"

#include <algorithm>

#include "core/rng.h"
#include "models/tasks/task.h"

namespace raftsim {

namespace {
// Rows per teacher-forced pass when scoring, to bound memory.
constexpr int64_t kScoreRows = 1024;
}  // namespace

StageFlops SequencePolicy::iteration_flops(PassCost pass, const PolicyConfig& c,
                                           const TaskConfig& task,
                                           const IterationWork& w) {
  StageFlops f;
  f.counted = true;
  const double n = w.prompts, B = n * w.k, P = task.prompt_length,
               R = task.response_length;
  const double prefill = pass(c, task, n, P, 0, n);
  double steps = 0;
  for (double t = 0; t + 1 < R; ++t) steps += pass(c, task, B, 1, P + t, B);
  f.sampling = 2 * (prefill + steps);
  f.reference = 2 * (prefill + (R > 1 ? pass(c, task, B, R - 1, P, B * (R - 1)) : 0));
  const double T = P + R - 1;
  f.training =
      2 * 3 * w.epochs * pass(c, task, w.accepted_rows, T, 0, w.accepted_rows * T);
  return f;
}

std::string SequencePolicy::token_needs(const TaskShape& task) {
  return task.point_dim > 0 ? "a task with token responses" : "";
}

double SequencePolicy::cache_bytes(const PolicyConfig& c, const TaskShape& task) {
  return (task.prompt_length + task.response_length) * static_cast<double>(c.d_model) *
         c.layers * 2 * 4;
}

SequencePolicy::SequencePolicy(const PolicyConfig& config, const Task& task)
    : config_(config),
      task_(task),
      vocab_(std::max(task.prompt_vocab(), task.response_vocab())),
      prompt_length_(task.prompt_length()),
      response_length_(task.response_length()) {}

void SequencePolicy::init_weights(
    uint64_t seed,
    const std::function<void(const std::string&, torch::Tensor&, at::Generator&)>&
        init) {
  torch::NoGradGuard no_grad;
  auto gen = make_generator(derive_seed(seed, Purpose::kPolicyInit));
  for (auto& item : module().named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor& p = item.value();
    const bool norm = name.find("ln") != std::string::npos;
    if (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0)
      p.zero_();
    else if (norm)
      p.fill_(1.0);
    else
      init(name, p, gen);
  }
}

std::unique_ptr<Policy> SequencePolicy::clone() const {
  auto copy = make_empty();
  copy->load(*weights());
  return copy;
}

void SequencePolicy::sample(double temperature, uint64_t seed, Samples& out) {
  c10::InferenceMode inference;
  const int64_t n = out.n_prompts(), k = out.k, R = response_length_;
  const int64_t B = n * k;
  auto gen = make_generator(seed);
  auto tokens = torch::empty({B, R}, torch::kInt64);
  auto logp = torch::zeros({B}, torch::kDouble);
  auto token_logp = torch::zeros({B, R}, torch::kDouble);
  // Each prompt is prefilled once; its K rows share the result.
  auto logits = begin(as_tensor(out.prompts, n, prompt_length_), prompt_length_ + R);
  repeat_rows(k);
  logits = logits.repeat_interleave(k, 0);
  for (int64_t i = 0; i < R; ++i) {
    torch::Tensor tok;
    if (temperature == 0.0) {
      tok = logits.argmax(1);
    } else {
      const auto lp = torch::log_softmax(logits / temperature, 1);
      tok = torch::multinomial(lp.exp(), 1, /*replacement=*/false, gen).view({B});
      const auto chosen = lp.gather(1, tok.view({B, 1})).view({B}).to(torch::kDouble);
      token_logp.select(1, i).copy_(chosen);
      logp += chosen;
    }
    tokens.select(1, i).copy_(tok);
    if (i + 1 < R) logits = step(tok);
  }
  const auto t32 = tokens.to(torch::kInt32).contiguous();
  out.responses.assign(t32.data_ptr<int32_t>(), t32.data_ptr<int32_t>() + B * R);
  out.logp.assign(logp.data_ptr<double>(), logp.data_ptr<double>() + B);
  const auto tl = token_logp.contiguous();
  out.token_logp.assign(tl.data_ptr<double>(), tl.data_ptr<double>() + B * R);
}

std::vector<double> SequencePolicy::log_prob(const Samples& s, double temperature) {
  c10::InferenceMode inference;
  const int64_t n = s.n_prompts(), k = s.k, B = n * k, P = prompt_length_,
                R = response_length_;
  const auto prompts = as_tensor(s.prompts, n, P);
  const auto responses = as_tensor(s.responses, B, R);
  std::vector<double> out(B);
  // The pass structure of sample(): each prompt prefilled once for its K
  // rows, then the responses teacher-forced through the cache.
  const int64_t prompts_per_pass = std::max<int64_t>(1, kScoreRows / k);
  for (int64_t first = 0; first < n; first += prompts_per_pass) {
    const int64_t m = std::min(prompts_per_pass, n - first), rows = m * k,
                  start = first * k;
    const auto r = responses.narrow(0, start, rows);
    auto logits = begin(prompts.narrow(0, first, m), P + R);
    repeat_rows(k);
    logits = logits.repeat_interleave(k, 0).unsqueeze(1);  // [rows, 1, V]
    if (R > 1) logits = torch::cat({logits, extend(r.narrow(1, 0, R - 1))}, 1);
    const auto lp = torch::log_softmax(logits / temperature, 2)
                        .gather(2, r.unsqueeze(2))
                        .squeeze(2)
                        .sum(1)
                        .to(torch::kDouble)
                        .contiguous();
    std::copy(lp.data_ptr<double>(), lp.data_ptr<double>() + rows, out.begin() + start);
  }
  return out;
}

torch::Tensor SequencePolicy::token_log_softmax(const torch::Tensor& prompts,
                                                const torch::Tensor& responses,
                                                double temperature) {
  const int64_t P = prompts.size(1), R = responses.size(1);
  const auto full = torch::cat({prompts, responses}, 1);
  // Positions P-1 .. P+R-2 predict the response tokens.
  const auto logits = forward(full.narrow(1, 0, P + R - 1)).narrow(1, P - 1, R);
  return torch::log_softmax(logits / temperature, 2);
}

torch::Tensor SequencePolicy::sequence_nll(const torch::Tensor& prompts,
                                           const torch::Tensor& responses,
                                           bool include_prompt) {
  const int64_t P = prompts.size(1), R = responses.size(1);
  const auto full = torch::cat({prompts, responses}, 1);
  const auto logits =
      forward(full.narrow(1, 0, P + R - 1));  // predicts tokens 1..P+R-1
  const auto targets = full.narrow(1, 1, P + R - 1);
  auto nll = -torch::log_softmax(logits, 2).gather(2, targets.unsqueeze(2)).squeeze(2);
  if (!include_prompt) nll = nll.narrow(1, P - 1, R);
  return nll.sum(1);
}

}  // namespace raftsim
