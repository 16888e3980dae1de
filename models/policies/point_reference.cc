#include "models/policies/point_reference.h"

#include "core/rng.h"
#include "models/policies/policy.h"
#include "models/tasks/task.h"

namespace raftsim {

PointReference point_reference(std::shared_ptr<const Task> task, Policy& initial,
                               double temperature, uint64_t seed) {
  PointReference r;
  const int32_t contexts = task->prompt_vocab();
  Samples& s = r.initial;
  s.prompt_length = 1;
  s.k = kReferencePerContext;
  for (int32_t c = 0; c < contexts; ++c) {
    s.prompt_ids.push_back(c);
    s.prompts.push_back(c);
  }
  initial.sample(temperature, derive_seed(seed, Purpose::kReference), s);
  r.task = std::move(task);
  return r;
}

}  // namespace raftsim
