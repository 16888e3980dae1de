// This machine's arithmetic peak, measured: single-precision GEMM
// (cblas_sgemm on 512 x 512 matrices, the BLAS LibTorch uses) on one core,
// and on `threads` cores at once (one single-threaded GEMM per thread, so
// shared caches, memory and clocks count against it as they do against a
// run). The yardstick for `raftsim bench`'s achieved FLOP rate.
#pragma once

namespace raftsim {

struct SgemmPeak {
  double one_core_gflops = 0;
  double all_cores_gflops = 0;  // summed over the threads
  int threads = 0;
};

// About `seconds` of GEMMs per measurement.
SgemmPeak measure_sgemm_peak(int threads, double seconds = 0.5);

}  // namespace raftsim
