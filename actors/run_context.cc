#include "actors/run_context.h"

#include <ATen/Parallel.h>

namespace raftsim {

void use_single_compute_thread() {
  at::set_num_threads(1);
  at::init_num_threads();
}

}  // namespace raftsim
