// The pi_0 samples that the k-NN estimates of a continuous task
// (models/tasks/point_stats.h) compare against, drawn from a policy. It lives
// with the policies because it samples one; the statistics themselves
// belong to the task.
#pragma once

#include <cstdint>
#include <memory>

#include "models/tasks/point_stats.h"

namespace raftsim {

class Policy;
class Task;

// Draws the reference from `initial` at `temperature`, stream (seed,
// kReference): the same in every run of a config, and on resume.
PointReference point_reference(std::shared_ptr<const Task> task, Policy& initial,
                               double temperature, uint64_t seed);

}  // namespace raftsim
