// Compute threads: raftsim parallelises across actors, one LibTorch thread
// each, never inside an op.
#pragma once

namespace raftsim {

// Makes every LibTorch op (and the BLAS under it) on the calling thread
// single-threaded. Call first thing on a compute thread.
void use_single_compute_thread();

}  // namespace raftsim
