#include "core/resources.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

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

}  // namespace raftsim
