#include "runfile/run_layout.h"

#include "experiment/experiment_hash.h"

namespace raftsim {

void write_run_header(H5File& file, const RunConfig& config, const RunHeader& header) {
  file.set_attribute(layout::kVersionAttr, header.raftsim_version);
  file.set_attribute(layout::kConfigAttr, to_ini(config));
  file.set_attribute(layout::kExperimentHashAttr, experiment_hash_text(config));
  file.set_attribute(layout::kSeedAttr, static_cast<int64_t>(config.seed));
  write_run_status(file, RunStatus::kRunning);
  file.set_attribute(layout::kCreatedAttr, header.created);
  file.set_attribute(layout::kHostAttr, header.host);
  file.set_attribute(layout::kLibtorchAttr, header.libtorch_version);
  file.set_attribute(layout::kGeneratorsAttr, header.generators);
  file.set_double_attribute(layout::kKlTemperatureAttr, config.policy.temperature);
  if (!header.environment.empty())
    file.set_attribute(layout::kEnvironmentAttr, header.environment);
  write_provenance(file, header.provenance);
  std::string defaults;
  for (const auto& d : config.variant_defaults)
    defaults += (defaults.empty() ? "" : "\n") + d;
  file.set_attribute(layout::kVariantDefaultsAttr, defaults);
  file.create_group(layout::kConfig);
  for (const auto& [key, value] : resolved_settings(config))
    file.set_attribute(key, value, layout::kConfig);
}

void write_run_status(H5File& file, RunStatus status) {
  file.set_attribute(layout::kStatusAttr, to_string(status));
}

RunReader::RunReader(const std::string& path) : file_(H5File::open_read(path)) {
  if (!file_.has_attribute(layout::kStatusAttr))
    throw FormatError(path, "not a raftsim run file (no status attribute)");
  const std::string text = file_.string_attribute(layout::kStatusAttr);
  const auto status = parse_run_status(text);
  if (!status) throw FormatError(path, "unknown run status '" + text + "'");
  status_ = *status;
}

std::string RunReader::config_ini() const {
  return file_.string_attribute(layout::kConfigAttr);
}

std::string RunReader::raftsim_version() const {
  return file_.string_attribute(layout::kVersionAttr);
}

std::string RunReader::libtorch_version() const {
  return file_.has_attribute(layout::kLibtorchAttr)
             ? file_.string_attribute(layout::kLibtorchAttr)
             : "";
}

std::string RunReader::experiment_hash() const {
  return file_.has_attribute(layout::kExperimentHashAttr)
             ? file_.string_attribute(layout::kExperimentHashAttr)
             : "";
}

std::map<std::string, std::string> RunReader::config() const {
  if (!file_.exists(layout::kConfig))
    throw FormatError(path(), "no /config group (a file from before raftsim 0.2?)");
  std::map<std::string, std::string> out;
  for (const auto& key : file_.attribute_names(layout::kConfig))
    out[key] = file_.string_attribute(key, layout::kConfig);
  return out;
}

size_t RunReader::rows() const {
  const std::string gold =
      std::string(layout::kMetrics) + "/" + layout::kGoldRewardMean;
  return file_.exists(gold) ? file_.shape(gold).at(0) : 0;
}

std::vector<std::string> RunReader::metric_names() const {
  if (!file_.exists(layout::kMetrics)) return {};
  return file_.list(layout::kMetrics);
}

std::vector<double> RunReader::metric(const std::string& name) const {
  return column(std::string(layout::kMetrics) + "/" + name);
}

std::vector<double> RunReader::timing(const std::string& name) const {
  return column(std::string(layout::kTiming) + "/" + name);
}

std::vector<double> RunReader::column(const std::string& p) const {
  if (!file_.exists(p))
    throw FormatError(path(), "no " + p + " (no iteration was logged?)");
  // Every column has one value per row: a file whose shapes were changed
  // is refused here, not indexed out of range by a reader.
  const auto shape = file_.shape(p);
  if (shape.size() != 1 || shape[0] != rows())
    throw FormatError(path(), p + " is not a column of " + std::to_string(rows()) +
                                  " rows (one per /metrics/gold_reward_mean value)");
  return file_.read(p);
}

}  // namespace raftsim
