#include "actors/logger.h"

namespace raftsim {

void write_record(RunFile& file, const IterationRecord& rec) {
  file.append_row("/metrics", rec.metrics);
  file.append_row("/timing", rec.timing);
  if (!rec.has_samples) return;
  const Samples& s = rec.pool.samples;
  const auto n = static_cast<size_t>(s.size());
  std::vector<int32_t> iteration(n, static_cast<int32_t>(rec.iteration));
  std::vector<int32_t> prompt_index(n), version(n, static_cast<int32_t>(s.policy_version));
  std::vector<int32_t> prompts(n * s.prompt_length);
  for (size_t i = 0; i < n; ++i) {
    const auto p = static_cast<int32_t>(i) / s.k;
    prompt_index[i] = s.prompt_ids[p];
    std::copy(s.prompt(p), s.prompt(p) + s.prompt_length, prompts.begin() + i * s.prompt_length);
  }
  file.append("/samples/iteration", iteration.data(), n);
  file.append("/samples/prompt_index", prompt_index.data(), n);
  file.append("/samples/policy_version", version.data(), n);
  file.append("/samples/prompt", prompts.data(), n, s.prompt_length);
  file.append("/samples/response", s.responses.data(), n, s.response_length);
  file.append("/samples/gold", rec.pool.gold.data(), n);
  file.append("/samples/proxy", rec.pool.proxy.data(), n);
  file.append("/samples/logp", s.logp.data(), n);
  file.append("/samples/logp_initial", s.logp_initial.data(), n);
  file.append("/samples/accepted", rec.accepted_mask.data(), n);
}

void create_sample_tables(RunFile& file, int32_t prompt_length, int32_t response_length) {
  const int32_t* none = nullptr;
  for (const char* name : {"iteration", "prompt_index", "policy_version"})
    file.append(std::string("/samples/") + name, none, 0);
  file.append("/samples/prompt", none, 0, prompt_length);
  file.append("/samples/response", none, 0, response_length);
  for (const char* name : {"gold", "proxy", "logp", "logp_initial"})
    file.append(std::string("/samples/") + name, static_cast<const double*>(nullptr), 0);
  file.append("/samples/accepted", static_cast<const uint8_t*>(nullptr), 0);
}

logger_actor::behavior_type logger(logger_actor::stateful_pointer<LoggerState> self,
                                   std::shared_ptr<RunFile> file) {
  return {
      [self, file](IterationRecord& rec) -> caf::result<caf::ok_atom> {
        try {
          write_record(*file, rec);
          file->flush();
        } catch (const std::exception& e) {
          return caf::make_error(caf::sec::runtime_error, std::string("logger: ") + e.what());
        }
        return caf::ok_atom::value;
      },
      [self, file](close_atom, const std::string& status) -> caf::result<caf::ok_atom> {
        try {
          file->set_attribute("status", status);
          file->close();
        } catch (const std::exception& e) {
          return caf::make_error(caf::sec::runtime_error, std::string("logger: ") + e.what());
        }
        return caf::ok_atom::value;
      },
  };
}

}  // namespace raftsim
