#include "models/policies/weights_io.h"

#include <sstream>
#include <stdexcept>

#include "core/checksum.h"
#include "models/policies/torch_policy.h"

namespace raftsim {

Bytes serialize_weights(const PolicyWeights& weights) {
  std::ostringstream out;
  torch::save(weights.tensors, out);
  const std::string s = out.str();
  return Bytes(s.begin(), s.end());
}

std::shared_ptr<const PolicyWeights> deserialize_weights(const Bytes& bytes) {
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  auto w = std::make_shared<PolicyWeights>();
  try {
    torch::load(w->tensors, in);
  } catch (const c10::Error& e) {
    throw std::runtime_error("not serialised policy weights: " +
                             std::string(e.what_without_backtrace()));
  }
  return w;
}

uint64_t checksum(const Bytes& bytes) { return fnv1a64(bytes.data(), bytes.size()); }

}  // namespace raftsim
