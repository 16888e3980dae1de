#include "core/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace raftsim {

Progress::Progress(std::string what, uint64_t total, bool quiet, uint64_t already)
    : what_(std::move(what)),
      total_(total),
      already_(already),
      enabled_(!quiet && isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { finish(); }

std::string Progress::format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long>(std::lround(seconds));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

void Progress::update(uint64_t done, const std::string& detail) {
  if (!enabled_) return;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fresh = done > already_ ? static_cast<double>(done - already_) : 0.0;
  const double rate = elapsed > 0 ? fresh / elapsed : 0.0;
  const double eta = rate > 0 ? (total_ - done) / rate : -1.0;
  std::fprintf(stderr, "\r\033[K[raftsim] %s %llu/%llu  %s  %.2f %ss/s  ETA %s",
               what_.c_str(), static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total_), detail.c_str(), rate,
               what_.c_str(), format_duration(eta).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace raftsim
