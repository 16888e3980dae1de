#include "run/checkpoint_store.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "models/weights_io.h"

namespace raftsim {

namespace {

constexpr char kGroup[] = "/checkpoints";
constexpr char kInitial[] = "/checkpoints/initial";

std::string group_of(uint64_t iteration) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s/%010" PRIu64, kGroup, iteration);
  return buf;
}

void write_blob(H5File& file, const std::string& path, const Bytes& bytes) {
  file.write_bytes(path, bytes);
  file.set_attribute("checksum", static_cast<int64_t>(checksum(bytes)), path);
}

Bytes read_blob(const H5File& file, const std::string& path) {
  Bytes bytes = file.read_bytes(path);
  if (static_cast<int64_t>(checksum(bytes)) != file.int_attribute("checksum", path))
    throw FormatError(file.path(), path + " does not match its checksum");
  return bytes;
}

// Iterations of the checkpoint groups, ascending (complete or not).
std::vector<uint64_t> stored(const H5File& file) {
  std::vector<uint64_t> out;
  for (const auto& name : file.list(kGroup)) {
    if (name == "initial") continue;
    char* end = nullptr;
    const unsigned long long it = std::strtoull(name.c_str(), &end, 10);
    if (end && *end == '\0') out.push_back(it);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Checkpoint read_checkpoint(const H5File& file, uint64_t iteration) {
  const std::string g = group_of(iteration);
  if (!file.has_attribute("complete", g))
    throw FormatError(file.path(), g + " was not completely written");
  Checkpoint c;
  c.iteration = iteration;
  c.trainer_state = read_blob(file, g + "/trainer");
  for (const auto& name : file.list(g)) {
    if (name.empty() || name[0] != 'v') continue;
    c.snapshots[std::stoull(name.substr(1))] =
        deserialize_weights(read_blob(file, g + "/" + name));
  }
  return c;
}

}  // namespace

void write_initial_weights(H5File& file, const PolicyWeights& initial) {
  write_blob(file, kInitial, serialize_weights(initial));
}

bool has_initial_weights(const H5File& file) { return file.exists(kInitial); }

std::shared_ptr<const PolicyWeights> read_initial_weights(const H5File& file) {
  if (!file.exists(kInitial))
    throw FormatError(file.path(), "no " + std::string(kInitial) +
                                       " (written with log.checkpoint_every = 0?)");
  return deserialize_weights(read_blob(file, kInitial));
}

void write_checkpoint(H5File& file, const Checkpoint& c, int keep) {
  const std::string g = group_of(c.iteration);
  file.remove(g);
  file.create_group(g);
  write_blob(file, g + "/trainer", c.trainer_state);
  for (const auto& [version, weights] : c.snapshots)
    write_blob(file, g + "/v" + std::to_string(version), serialize_weights(*weights));
  file.flush();
  file.set_attribute("iteration", static_cast<int64_t>(c.iteration), g);
  file.set_attribute("complete", static_cast<int64_t>(1), g);
  file.flush();
  auto all = stored(file);
  while (all.size() > static_cast<size_t>(std::max(keep, 1))) {
    file.remove(group_of(all.front()));
    all.erase(all.begin());
  }
  file.flush();
}

std::optional<Checkpoint> read_latest_checkpoint(
    const H5File& file, std::vector<std::string>* passed_over) {
  const auto all = stored(file);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    try {
      return read_checkpoint(file, *it);
    } catch (const std::exception& e) {
      if (passed_over) passed_over->push_back(e.what());
    }
  }
  return std::nullopt;
}

void remove_checkpoints_after(H5File& file, uint64_t iteration) {
  for (uint64_t it : stored(file))
    if (it > iteration) file.remove(group_of(it));
}

void remove_all_checkpoints(H5File& file) {
  for (uint64_t it : stored(file)) file.remove(group_of(it));
}

}  // namespace raftsim
