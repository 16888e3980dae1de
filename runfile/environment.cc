#include "runfile/environment.h"

#include <H5public.h>
#include <torch/version.h>
#include <unistd.h>

#include <boost/version.hpp>
#include <cstdio>
#include <ctime>

#include "core/version.h"

// The run file's format does not link CAF: the build names the version it
// found (CMakeLists.txt).
#ifndef RAFTSIM_CAF_VERSION
#error "RAFTSIM_CAF_VERSION must be defined by the build"
#endif

namespace raftsim {

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {0};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string environment_text() {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "raftsim %s; built against caf %s, libtorch headers %s, hdf5 "
                "%d.%d.%d; boost %d.%d, gcc %s (installed: the libraries attribute)",
                kVersion, RAFTSIM_CAF_VERSION, TORCH_VERSION, H5_VERS_MAJOR,
                H5_VERS_MINOR, H5_VERS_RELEASE, BOOST_VERSION / 100000,
                BOOST_VERSION / 100 % 1000, __VERSION__);
  return buf;
}

std::string libtorch_version() { return TORCH_VERSION; }

}  // namespace raftsim
