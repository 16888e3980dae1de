#include "core/resources.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/errors.h"

namespace raftsim {

size_t resident_bytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<size_t>(resident) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

int available_cores() {
  int cores = 0;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) cores = CPU_COUNT(&set);
  if (cores <= 0) cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  // "max 100000" means no quota; "150000 100000" means 1.5 CPUs.
  std::ifstream quota("/sys/fs/cgroup/cpu.max");
  std::string max_text;
  double period = 0;
  if (quota >> max_text >> period && max_text != "max" && period > 0) {
    const double cpus = std::stod(max_text) / period;
    cores = std::min(cores, static_cast<int>(std::ceil(cpus)));
  }
  if (const char* share = std::getenv("RAFTSIM_CORES")) {
    const int n = std::atoi(share);
    if (n >= 1) cores = std::min(cores, n);
  }
  return std::max(1, cores);
}

void check_process_limits(double address_bytes) {
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      static_cast<double>(limit.rlim_cur) < address_bytes) {
    const auto mb = [](double b) {
      return std::to_string(static_cast<long long>(b / 1e6));
    };
    throw ConfigError("ulimit -v", mb(static_cast<double>(limit.rlim_cur)) + " MB",
                      "at least about " + mb(address_bytes) +
                          " MB of address space for this run (LibTorch and OpenBLAS "
                          "reserve about " +
                          mb(kBaseAddressBytes) + " MB of it)");
  }
  constexpr rlim_t kFiles = 64;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < kFiles)
    throw ConfigError("ulimit -n", std::to_string(limit.rlim_cur),
                      "at least " + std::to_string(kFiles) + " open files");
}

}  // namespace raftsim
