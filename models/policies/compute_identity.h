// What decides the last bits of a policy's numbers on this machine: the
// LibTorch version, the CPU capability ATen dispatches its kernels to, and
// the OpenBLAS kernel set the transformer decoder's sgemm runs. Two
// processes with the same identity sample bitwise alike; a generator node
// with another one is refused (actors/node_protocol.h). Pin both on
// heterogeneous machines with ATEN_CPU_CAPABILITY and OPENBLAS_CORETYPE.
#pragma once

#include <string>

namespace raftsim {

// "libtorch 1.13.0, aten AVX2, openblas Haswell".
std::string compute_identity();

}  // namespace raftsim
