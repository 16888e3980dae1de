// Progress: a one-line progress report with rate and ETA on stderr,
//   [raftsim] iteration 12/100  gold 0.532  3.1 it/s  ETA 0:28
// redrawn in place. Silent when stderr is not a terminal or when quiet.
// Not thread-safe: one owner calls update().
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace raftsim {

class Progress {
 public:
  // `what` names one unit ("iteration"); the rate is shown in its plural
  // per second. `already`: units done before this process started (a
  // resumed run), left out of the rate.
  Progress(std::string what, uint64_t total, bool quiet, uint64_t already = 0);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  bool enabled() const { return enabled_; }
  // `done` of `total` finished; `detail` is shown after the count.
  void update(uint64_t done, const std::string& detail = "");
  // Ends the line (if anything was drawn).
  void finish();

  // "1:02:03" / "2:03" for a duration in seconds.
  static std::string format_duration(double seconds);

 private:
  std::string what_;
  uint64_t total_;
  uint64_t already_ = 0;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace raftsim
