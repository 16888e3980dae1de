#include "models/rewards/error_field.h"

#include <cmath>

#include "core/rng.h"
#include "models/rewards/reward_model.h"

namespace raftsim {

ErrorField::ErrorField(const RewardNoise& noise, int32_t contexts, int32_t dim,
                       double length, uint64_t seed)
    : dim_(dim) {
  constexpr double kPi = 3.14159265358979323846;
  const size_t cells = static_cast<size_t>(contexts) * kFieldFeatures;
  amplitude_.resize(cells);
  phase_.resize(cells);
  frequency_.resize(cells * dim);
  for (int32_t c = 0; c < contexts; ++c) {
    Rng rng(derive_seed(seed, Purpose::kPersistentNoise, c, ~0ULL));
    for (int32_t j = 0; j < kFieldFeatures; ++j) {
      const size_t cell = static_cast<size_t>(c) * kFieldFeatures + j;
      amplitude_[cell] =
          noise.error(derive_seed(seed, Purpose::kPersistentNoise, c, j), 0, 0.0);
      phase_[cell] = 2 * kPi * rng.uniform();
      for (int32_t d = 0; d < dim; ++d)
        frequency_[cell * dim + d] = rng.normal() / length;
    }
  }
}

double ErrorField::operator()(int32_t context, const float* x) const {
  const size_t first = static_cast<size_t>(context) * kFieldFeatures;
  double sum = 0;
  for (int32_t j = 0; j < kFieldFeatures; ++j) {
    const size_t cell = first + j;
    double arg = phase_[cell];
    for (int32_t d = 0; d < dim_; ++d) arg += frequency_[cell * dim_ + d] * x[d];
    sum += amplitude_[cell] * std::cos(arg);
  }
  return std::sqrt(2.0 / kFieldFeatures) * sum;
}

}  // namespace raftsim
