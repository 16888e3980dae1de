#include "runfile/reward_model_store.h"

#include <string>

namespace raftsim {

namespace {
constexpr const char* kGroup = "/reward_model";

std::string version_path(uint64_t v) {
  return std::string(kGroup) + "/v" + std::to_string(v);
}
}  // namespace

bool has_reward_model(const H5File& file, uint64_t version) {
  return file.exists(version_path(version));
}

void write_reward_model(H5File& file, const RewardSnapshot& s) {
  const RewardEnsemble& m = *s.model;
  const std::string v = version_path(s.version);
  if (file.exists(v)) file.remove(v);
  file.create_group(v);
  std::vector<double> norm, epochs, validation;
  for (int32_t j = 0; j < m.members(); ++j) {
    for (const auto& t : m.tensors(j))
      file.write(v + "/member" + std::to_string(j) + "/" + t.name, t.values, t.shape);
    norm.push_back(m.norm_mean(j));
    norm.push_back(m.norm_std(j));
    epochs.push_back(m.epochs(j));
    validation.push_back(m.validation_accuracy(j));
  }
  const auto members = static_cast<size_t>(m.members());
  file.write(v + "/normalisation", norm, {members, 2});
  file.write(v + "/epochs", epochs, {members});
  file.write(v + "/validation_accuracy", validation, {members});
  file.set_attribute("version", static_cast<int64_t>(s.version), v);
  file.set_double_attribute("heldout_accuracy", s.heldout_accuracy, v);
  file.set_attribute("pairs", static_cast<int64_t>(s.pairs), v);
  file.set_double_attribute("train_seconds", s.train_seconds, v);
  if (s.version == 0) {
    file.set_attribute("members", static_cast<int64_t>(m.members()), kGroup);
    file.set_attribute("parameters", m.parameters(), kGroup);
    file.set_double_attribute("heldout_accuracy", s.heldout_accuracy, kGroup);
    file.set_attribute("pairs", static_cast<int64_t>(s.pairs), kGroup);
  }
  file.set_attribute("versions", static_cast<int64_t>(file.list(kGroup).size()),
                     kGroup);
}

}  // namespace raftsim
