// Weights as bytes: a policy's weights (PolicyWeights) serialised exactly
// (every tensor's storage, bit for bit) for checkpoints, and back.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/policies/policy.h"

namespace raftsim {

using Bytes = std::vector<uint8_t>;

Bytes serialize_weights(const PolicyWeights& weights);
// Throws std::runtime_error if `bytes` are not serialised weights.
std::shared_ptr<const PolicyWeights> deserialize_weights(const Bytes& bytes);

// FNV-1a 64 of the bytes: stored next to each blob, checked on load.
uint64_t checksum(const Bytes& bytes);

}  // namespace raftsim
