#include "loop/relabelling.h"

#include "core/rng.h"

namespace raftsim {

Relabelling::Relabelling(bool learned, int32_t every, int32_t pairs, int32_t iterations,
                         uint64_t seed)
    : learned_(learned),
      every_(every),
      pairs_(pairs),
      iterations_(iterations),
      seed_(seed) {}

uint64_t Relabelling::version_for(uint64_t t) const {
  return every_ > 0 ? t / static_cast<uint64_t>(every_) : 0;
}

bool Relabelling::due_after(uint64_t t) const {
  return active() && (t + 1) % static_cast<uint64_t>(every_) == 0 &&
         t + 1 < static_cast<uint64_t>(iterations_);
}

uint64_t Relabelling::stream_after(uint64_t t) const {
  return derive_seed(seed_, Purpose::kRewardData, version_for(t + 1), 2);
}

}  // namespace raftsim
