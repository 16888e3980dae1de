#include "core/fault_signals.h"

#include <signal.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

namespace raftsim {

namespace {

std::atomic<bool> g_armed{false};
std::mutex g_mutex;
std::vector<FaultSignal> g_pending;  // guarded by g_mutex

int parse_signal(const std::string& name) {
  if (name == "INT") return SIGINT;
  if (name == "TERM") return SIGTERM;
  if (name == "HUP") return SIGHUP;
  if (name == "KILL") return SIGKILL;
  if (name == "STOP") return SIGSTOP;
  throw std::invalid_argument("unknown signal");
}

FaultPoint parse_point(const std::string& name) {
  if (name == "sample") return FaultPoint::kSample;
  if (name == "row") return FaultPoint::kRow;
  if (name == "checkpoint") return FaultPoint::kCheckpoint;
  if (name == "warmup") return FaultPoint::kWarmup;
  throw std::invalid_argument("unknown point");
}

FaultSignal parse_one(const std::string& item) {
  const auto at = item.find('@');
  const auto colon = item.find(':', at == std::string::npos ? 0 : at);
  if (at == std::string::npos || colon == std::string::npos)
    throw std::invalid_argument("not SIGNAL@POINT:N");
  const std::string digits = item.substr(colon + 1);
  if (digits.empty() || digits.size() > 12 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("N is not an integer >= 0");
  FaultSignal f;
  f.signal = parse_signal(item.substr(0, at));
  f.point = parse_point(item.substr(at + 1, colon - at - 1));
  f.index = std::stoll(digits);
  return f;
}

}  // namespace

std::vector<FaultSignal> parse_fault_signals(const std::string& text) {
  std::vector<FaultSignal> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    out.push_back(parse_one(text.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

ArmedFaultSignals::ArmedFaultSignals(std::vector<FaultSignal> signals) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_pending = std::move(signals);
  g_armed.store(!g_pending.empty(), std::memory_order_relaxed);
}

ArmedFaultSignals::~ArmedFaultSignals() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_pending.clear();
  g_armed.store(false, std::memory_order_relaxed);
}

void fault_point(FaultPoint point, int64_t index) {
  if (!g_armed.load(std::memory_order_relaxed)) return;
  std::vector<int> fire;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    for (auto it = g_pending.begin(); it != g_pending.end();) {
      if (it->point == point && it->index == index) {
        fire.push_back(it->signal);
        it = g_pending.erase(it);
      } else {
        ++it;
      }
    }
  }
  // In the order given, to this thread (raise is tgkill to the caller): it
  // stops, or runs the handler, before it goes on. A process-directed
  // signal may be taken by another, sleeping thread while this one writes
  // more rows. (Two of one kind at one point may merge into one pending
  // signal when this thread blocks it: give them separate points.)
  for (int sig : fire) raise(sig);
}

}  // namespace raftsim
