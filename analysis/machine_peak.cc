#include "analysis/machine_peak.h"

#include <cblas.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "models/policies/compute_threads.h"

namespace raftsim {

namespace {

constexpr int kN = 512;

// GFLOP/s of one thread doing 512^3 GEMMs for `seconds` once `go` is set.
double gemm_rate(double seconds, const std::atomic<bool>& go) {
  use_single_compute_thread();
  std::vector<float> a(kN * kN, 0.5f), b(kN * kN, 0.25f), c(kN * kN, 0.0f);
  // One untimed GEMM: page faults and BLAS start-up.
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kN, kN, kN, 1.0f, a.data(), kN,
              b.data(), kN, 0.0f, c.data(), kN);
  while (!go.load()) std::this_thread::yield();
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  int done = 0;
  double elapsed = 0;
  do {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kN, kN, kN, 1.0f, a.data(),
                kN, b.data(), kN, 0.0f, c.data(), kN);
    ++done;
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < seconds);
  return 2.0 * kN * kN * kN * done / elapsed / 1e9;
}

double concurrent_rate(int threads, double seconds) {
  std::atomic<bool> go{false};
  std::vector<double> rates(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] { rates[t] = gemm_rate(seconds, go); });
  go = true;
  for (auto& t : pool) t.join();
  double sum = 0;
  for (double r : rates) sum += r;
  return sum;
}

}  // namespace

SgemmPeak measure_sgemm_peak(int threads, double seconds) {
  SgemmPeak p;
  p.threads = threads;
  p.one_core_gflops = concurrent_rate(1, seconds);
  p.all_cores_gflops = concurrent_rate(threads, seconds);
  return p;
}

}  // namespace raftsim
