#include "models/policies/torch_policy.h"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

namespace raftsim {

bool Policy::exact_stats(const Policy&, double, PolicyStats&, const Task*) const {
  return false;
}

namespace {
std::vector<torch::Tensor> state_tensors(const torch::nn::Module& m) {
  std::vector<torch::Tensor> out = m.parameters();
  for (const auto& b : m.buffers()) out.push_back(b);
  return out;
}
}  // namespace

torch::Tensor TorchPolicy::chain_log_prob(const torch::Tensor&, const torch::Tensor&,
                                          double) {
  throw std::logic_error("this policy samples no chain of stochastic steps");
}

std::shared_ptr<const PolicyWeights> TorchPolicy::weights() const {
  auto w = std::make_shared<PolicyWeights>();
  for (const auto& t : state_tensors(module()))
    w->tensors.push_back(t.detach().clone());
  return w;
}

void TorchPolicy::load(const PolicyWeights& weights) {
  torch::NoGradGuard no_grad;
  auto tensors = state_tensors(module());
  if (tensors.size() != weights.tensors.size())
    throw std::invalid_argument("policy weights do not match the model");
  for (size_t i = 0; i < tensors.size(); ++i) tensors[i].copy_(weights.tensors[i]);
}

namespace {
torch::Tensor narrow_rows(const torch::Tensor& t, int64_t start, int64_t length) {
  return t.defined() ? t.narrow(0, start, length) : t;
}
torch::Tensor select_rows(const torch::Tensor& t, const torch::Tensor& index) {
  return t.defined() ? t.index_select(0, index) : t;
}
}  // namespace

SftRows SftRows::narrow(int64_t start, int64_t length) const {
  return {narrow_rows(prompts, start, length), narrow_rows(responses, start, length),
          narrow_rows(points, start, length), narrow_rows(noise, start, length)};
}

SftRows SftRows::select(const torch::Tensor& index) const {
  return {select_rows(prompts, index), select_rows(responses, index),
          select_rows(points, index), select_rows(noise, index)};
}

torch::Tensor as_tensor(const std::vector<int32_t>& v, int64_t rows, int64_t cols) {
  return torch::from_blob(const_cast<int32_t*>(v.data()), {rows, cols}, torch::kInt32)
      .to(torch::kInt64);
}

at::Generator make_generator(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

SftRows sft_rows(const TrainBatch& batch) {
  const int64_t n = batch.size();
  SftRows rows;
  rows.prompts = as_tensor(batch.prompts, n, batch.prompt_length);
  rows.responses = as_tensor(batch.responses, n, batch.response_length);
  if (batch.point_dim > 0)
    rows.points = torch::from_blob(const_cast<float*>(batch.points.data()),
                                   {n, batch.point_dim}, torch::kFloat)
                      .clone();
  return rows;
}

}  // namespace raftsim
