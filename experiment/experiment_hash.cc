#include "experiment/experiment_hash.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "core/checksum.h"

namespace raftsim {

bool is_injected_fault(const std::string& key) { return key.rfind("faults.", 0) == 0; }

bool changes_results(const std::string& key) {
  static const char* kFree[] = {
      "actors.generators",    "actors.nodes", "actors.reward_workers",
      "actors.chunk_retries", "iterations",   "log.checkpoint_every",
      "log.checkpoint_keep"};
  if (is_injected_fault(key)) return false;
  return std::none_of(std::begin(kFree), std::end(kFree),
                      [&](const char* k) { return key == k; });
}

uint64_t experiment_hash(const RunConfig& config) {
  std::string text;
  for (const auto& [key, value] : resolved_settings(config))
    if (changes_results(key)) text += key + " = " + value + "\n";
  return fnv1a64(text.data(), text.size());
}

std::string experiment_hash_text(const RunConfig& config) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(experiment_hash(config)));
  return buf;
}

}  // namespace raftsim
