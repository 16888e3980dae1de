#include "loop/schedule.h"

#include <stdexcept>
#include <string>

namespace raftsim {

namespace {
[[noreturn]] void misuse(const std::string& what, uint64_t t) {
  throw std::logic_error("schedule: " + what + " (iteration " + std::to_string(t) +
                         ")");
}
}  // namespace

Schedule::Schedule(const ScheduleConfig& config)
    : config_(config),
      published_(config.first_iteration),
      next_launch_(config.first_iteration),
      next_train_(config.first_iteration),
      next_log_(config.first_iteration) {}

uint64_t Schedule::version_for(uint64_t t) const {
  return t >= config_.staleness ? t - config_.staleness : 0;
}

std::vector<uint64_t> Schedule::launch() {
  std::vector<uint64_t> started;
  while (!stopping_ && next_launch_ < config_.iterations &&
         has_version(version_for(next_launch_))) {
    const uint64_t t = next_launch_++;
    Progress& p = iterations_[t];
    p.evaluated = !config_.evaluate;
    for (uint32_t c = 0; c < config_.chunks; ++c) jobs_.push_back({t, c});
    if (config_.evaluate) jobs_.push_back({t, Job::kEvaluation});
    started.push_back(t);
  }
  return started;
}

uint64_t Schedule::oldest_needed_version() const { return version_for(next_log_); }

Job Schedule::next_job() {
  const Job j = jobs_.front();
  jobs_.pop_front();
  return j;
}

bool Schedule::job_failed(const Job& job) {
  const int n = ++failures_[{job.iteration, job.chunk}];
  if (n > config_.chunk_retries) return false;
  jobs_.push_front(job);
  return true;
}

void Schedule::job_lost(const Job& job) { jobs_.push_front(job); }

int Schedule::failures(const Job& job) const {
  const auto it = failures_.find({job.iteration, job.chunk});
  return it == failures_.end() ? 0 : it->second;
}

bool Schedule::chunk_scored(uint64_t t) {
  const auto it = iterations_.find(t);
  if (it == iterations_.end() || it->second.scored >= config_.chunks)
    misuse("a chunk scored that was not expected", t);
  return ++it->second.scored == config_.chunks;
}

void Schedule::ranked(uint64_t t) {
  const auto it = iterations_.find(t);
  if (it == iterations_.end() || it->second.scored < config_.chunks)
    misuse("ranked before every chunk was scored", t);
  it->second.ranked = true;
}

std::optional<uint64_t> Schedule::next_to_train() {
  if (trainer_busy_) return std::nullopt;
  const auto it = iterations_.find(next_train_);
  if (it == iterations_.end() || !it->second.ranked) return std::nullopt;
  trainer_busy_ = true;
  return next_train_;
}

void Schedule::trained(uint64_t t) {
  if (!trainer_busy_ || t != next_train_) misuse("trained out of order", t);
  trainer_busy_ = false;
  iterations_.at(t).trained = true;
  ++next_train_;
  published_ = t + 1;
}

void Schedule::evaluated(uint64_t t) {
  const auto it = iterations_.find(t);
  if (it == iterations_.end() || !config_.evaluate)
    misuse("an unexpected evaluation", t);
  it->second.evaluated = true;
}

std::optional<uint64_t> Schedule::next_row() {
  const auto it = iterations_.find(next_log_);
  if (it == iterations_.end() || !it->second.trained || !it->second.evaluated)
    return std::nullopt;
  iterations_.erase(it);
  ++rows_in_flight_;
  return next_log_++;
}

void Schedule::row_written(uint64_t t) {
  if (rows_in_flight_ == 0 || t >= next_log_)
    misuse("a row written that was not sent", t);
  --rows_in_flight_;
  ++rows_written_;
}

std::optional<RunStatus> Schedule::finished() const {
  if (rows_in_flight_ > 0 || next_log_ < next_launch_) return std::nullopt;
  if (next_launch_ == config_.iterations) return RunStatus::kComplete;
  if (stopping_) return RunStatus::kInterrupted;
  return std::nullopt;
}

}  // namespace raftsim
