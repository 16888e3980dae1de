// FNV-1a, 64 bit: a fast checksum of bytes (weight blobs on disk and on the
// wire, the resolved configuration a node is pinned to). Not cryptographic:
// it detects corruption and mismatch, not tampering (TLS covers that).
#pragma once

#include <cstddef>
#include <cstdint>

namespace raftsim {

inline uint64_t fnv1a64(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace raftsim
