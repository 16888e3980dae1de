// Sample-based statistics of a policy over a continuous task (the
// diffusion policy), where no exact log-probability exists:
//   kl_to_initial  KL(pi_v || pi_0) per context by the k-NN estimator
//                  (models/tasks/knn_estimators.h, k = kPointNeighbours) between
//                  the iteration's samples and a fixed reference set of
//                  pi_0 samples, averaged over contexts weighted by their
//                  share of the pool
//   entropy        the Kozachenko-Leonenko estimate per context, weighted
//                  the same way
//   mode_coverage  the share of the prior's modes (Task::modes) holding at
//                  least kCoveredShare / modes of the pool (a quarter of a
//                  mode's prior weight)
// All at the sampling temperature, as for the token policies.
#pragma once

#include <cstdint>
#include <memory>

#include "models/tasks/samples.h"

namespace raftsim {

class Task;

inline constexpr int32_t kPointNeighbours = 5;
inline constexpr int32_t kReferencePerContext = 2048;
inline constexpr double kCoveredShare = 0.25;

// The pi_0 samples the KL estimate compares against.
struct PointReference {
  std::shared_ptr<const Task> task;
  Samples initial;  // kReferencePerContext samples per context, by context
};

struct PointStats {
  double kl_to_initial = 0, entropy = 0, mode_coverage = 0;
};

PointStats point_stats(const Samples& pool, const PointReference& reference);

}  // namespace raftsim
