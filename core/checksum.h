// FNV-1a, 64 bit: a fast checksum of bytes (weight blobs on disk and on the
// wire, the resolved configuration a node is pinned to). Not cryptographic:
// it detects corruption and mismatch, not tampering (TLS covers that).
#pragma once

#include <cstddef>
#include <cstdint>

namespace raftsim {

inline constexpr uint64_t kFnvBasis = 1469598103934665603ULL;

// `h` continues an earlier hash: fnv1a64(b, nb, fnv1a64(a, na)) hashes a then b.
inline uint64_t fnv1a64(const void* data, size_t size, uint64_t h = kFnvBasis) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace raftsim
