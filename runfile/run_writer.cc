#include "runfile/run_writer.h"

#include <algorithm>

#include "core/fault_signals.h"
#include "runfile/checkpoint_store.h"
#include "runfile/reward_model_store.h"
#include "runfile/run_layout.h"

namespace raftsim {

namespace {

std::string samples_path(const char* name) {
  return std::string(layout::kSamples) + "/" + name;
}

void write_samples(H5File& file, const IterationReport& r) {
  const Samples& s = r.samples_pool.samples;
  const auto n = static_cast<size_t>(s.size());
  std::vector<int32_t> iteration(n, static_cast<int32_t>(r.iteration));
  std::vector<int32_t> prompt_index(n),
      version(n, static_cast<int32_t>(s.policy_version));
  std::vector<int32_t> prompts(n * s.prompt_length);
  for (size_t i = 0; i < n; ++i) {
    const auto p = static_cast<int32_t>(i) / s.k;
    prompt_index[i] = s.prompt_ids[p];
    std::copy(s.prompt(p), s.prompt(p) + s.prompt_length,
              prompts.begin() + i * s.prompt_length);
  }
  file.append(samples_path("iteration"), iteration.data(), n);
  file.append(samples_path("prompt_index"), prompt_index.data(), n);
  file.append(samples_path("policy_version"), version.data(), n);
  file.append(samples_path("prompt"), prompts.data(), n, s.prompt_length);
  if (s.point_dim > 0)
    file.append(samples_path("point"), s.points.data(), n, s.point_dim);
  else
    file.append(samples_path("response"), s.responses.data(), n, s.response_length);
  file.append(samples_path("gold"), r.samples_pool.gold.data(), n);
  file.append(samples_path("proxy"), r.samples_pool.proxy.data(), n);
  file.append(samples_path("logp"), s.logp.data(), n);
  file.append(samples_path("logp_initial"), s.logp_initial.data(), n);
  file.append(samples_path("accepted"), r.accepted_mask.data(), n);
}

}  // namespace

RunWriter::RunWriter(H5File file, bool evaluated, bool samples, int checkpoint_keep,
                     uint64_t identity)
    : file_(std::move(file)),
      metrics_(metric_columns(evaluated)),
      timing_(timing_columns()),
      samples_(samples),
      checkpoint_keep_(checkpoint_keep),
      identity_(identity) {}

void RunWriter::create_tables(int32_t prompt_length, int32_t response_length,
                              int32_t point_dim) {
  file_.create_table(layout::kMetrics, column_names(metrics_));
  file_.create_table(layout::kTiming, column_names(timing_));
  if (!samples_) return;
  const int32_t* none = nullptr;
  for (const char* name : {"iteration", "prompt_index", "policy_version"})
    file_.append(samples_path(name), none, 0);
  file_.append(samples_path("prompt"), none, 0, prompt_length);
  if (point_dim > 0)
    file_.append(samples_path("point"), static_cast<const float*>(nullptr), 0,
                 point_dim);
  else
    file_.append(samples_path("response"), none, 0, response_length);
  for (const char* name : {"gold", "proxy", "logp", "logp_initial"})
    file_.append(samples_path(name), static_cast<const double*>(nullptr), 0);
  file_.append(samples_path("accepted"), static_cast<const uint8_t*>(nullptr), 0);
}

void RunWriter::write(const IterationReport& report) {
  // /metrics last: its length is the file's row count, so a write that
  // fails part-way (a full disk) leaves no metrics row without its samples
  // and timing; longer tables are cut back to it on resume.
  if (samples_ && report.has_samples) write_samples(file_, report);
  if (report.new_reward_model.model) write_reward_model(file_, report.new_reward_model);
  file_.append_row(layout::kTiming, make_row(timing_, report));
  file_.append_row(layout::kMetrics, make_row(metrics_, report));
  file_.flush();
  fault_point(FaultPoint::kRow, static_cast<int64_t>(report.iteration));
  if (report.checkpoint) write_checkpoint(*report.checkpoint);
  if (swmr_ && !file_.swmr_writing()) file_.start_swmr();
}

void RunWriter::start_swmr() {
  file_.start_swmr();
  swmr_ = true;
}

void RunWriter::write_checkpoint(const Checkpoint& checkpoint) {
  raftsim::write_checkpoint(file_, checkpoint, checkpoint_keep_, identity_);
}

void RunWriter::close(RunStatus status) {
  write_run_status(file_, status);
  file_.close();
}

}  // namespace raftsim
