#include "models/policies/compute_threads.h"

#include <ATen/Parallel.h>
#include <omp.h>

namespace raftsim {

void use_single_compute_thread() {
  at::set_num_threads(1);
  at::init_num_threads();
  // Debian's LibTorch uses its native thread pool, so the calls above leave
  // OpenMP alone; OpenBLAS (the openmp build) would still fan each GEMM out
  // over every core from every actor thread. One OpenMP thread per caller.
  omp_set_num_threads(1);
}

}  // namespace raftsim
