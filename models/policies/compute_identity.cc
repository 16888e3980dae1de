#include "models/policies/compute_identity.h"

#include <ATen/Version.h>
#include <dlfcn.h>
#include <torch/version.h>

namespace raftsim {

namespace {

// ATen's dispatch level, as its build summary reports it ("AVX2").
std::string aten_capability() {
  const std::string config = at::show_config();
  const std::string key = "CPU capability usage: ";
  const auto at = config.find(key);
  if (at == std::string::npos) return "unknown";
  const auto start = at + key.size();
  return config.substr(start, config.find('\n', start) - start);
}

// OpenBLAS's kernel set, if the BLAS loaded is OpenBLAS.
std::string blas_core() {
  using Fn = char* (*)();
  auto fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return fn ? std::string("openblas ") + fn() : std::string("blas (not OpenBLAS)");
}

}  // namespace

std::string compute_identity() {
  return std::string("libtorch ") + TORCH_VERSION + ", aten " + aten_capability() +
         ", " + blas_core();
}

}  // namespace raftsim
