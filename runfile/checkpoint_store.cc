#include "runfile/checkpoint_store.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "core/checksum.h"
#include "core/fault_signals.h"
#include "models/policies/weights_io.h"

namespace raftsim {

namespace {

constexpr char kGroup[] = "/checkpoints";
constexpr char kInitial[] = "/checkpoints/initial";

std::string group_of(uint64_t iteration) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s/%010" PRIu64, kGroup, iteration);
  return buf;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

// The checksum that binds `bytes` to `run` and to `path`.
uint64_t bound_checksum(uint64_t run, const std::string& path, const Bytes& bytes) {
  uint64_t h = fnv1a64(&run, sizeof run);
  h = fnv1a64(path.data(), path.size(), h);
  return fnv1a64(bytes.data(), bytes.size(), h);
}

void write_blob(H5File& file, const std::string& path, const Bytes& bytes,
                uint64_t run) {
  file.write_bytes(path, bytes);
  file.set_attribute("run", hex(run), path);
  file.set_attribute("checksum", static_cast<int64_t>(bound_checksum(run, path, bytes)),
                     path);
}

Bytes read_blob(const H5File& file, const std::string& path, uint64_t run) {
  if (!file.has_attribute("checksum", path) || !file.has_attribute("run", path))
    throw FormatError(file.path(), path + " has no checksum or run identity");
  const std::string owner = file.string_attribute("run", path);
  if (owner != hex(run))
    throw FormatError(file.path(), path + " belongs to another run (experiment hash " +
                                       owner + "; this run's is " + hex(run) + ")");
  Bytes bytes = file.read_bytes(path);
  if (static_cast<int64_t>(bound_checksum(run, path, bytes)) !=
      file.int_attribute("checksum", path))
    throw FormatError(
        file.path(),
        path + " is damaged or was moved (it does not match its checksum)");
  return bytes;
}

std::shared_ptr<const PolicyWeights> read_weights(const H5File& file,
                                                  const std::string& path,
                                                  uint64_t run) {
  const Bytes bytes = read_blob(file, path, run);
  try {
    return deserialize_weights(bytes);
  } catch (const std::exception& e) {
    throw FormatError(file.path(),
                      path + " is not a policy's weights (" + e.what() + ")");
  }
}

// Iterations of the checkpoint groups, ascending (complete or not).
std::vector<uint64_t> stored(const H5File& file) {
  std::vector<uint64_t> out;
  if (!file.exists(kGroup)) return out;
  for (const auto& name : file.list(kGroup)) {
    if (name == "initial") continue;
    char* end = nullptr;
    const unsigned long long it = std::strtoull(name.c_str(), &end, 10);
    if (end && *end == '\0' && group_of(it) == std::string(kGroup) + "/" + name)
      out.push_back(it);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_complete(const H5File& file, uint64_t iteration) {
  return file.has_attribute("complete", group_of(iteration));
}

Checkpoint read_checkpoint(const H5File& file, uint64_t iteration, uint64_t run) {
  const std::string g = group_of(iteration);
  Checkpoint c;
  c.iteration = iteration;
  c.trainer_state = read_blob(file, g + "/trainer", run);
  for (const auto& name : file.list(g)) {
    if (name == "trainer") continue;
    char* end = nullptr;
    const unsigned long long version = name.size() > 1 && name[0] == 'v'
                                           ? std::strtoull(name.c_str() + 1, &end, 10)
                                           : 0;
    if (!end || *end != '\0' || name != "v" + std::to_string(version))
      throw FormatError(file.path(), g + " holds an unknown member '" + name + "'");
    c.snapshots[version] = read_weights(file, g + "/" + name, run);
  }
  if (c.snapshots.empty())
    throw FormatError(file.path(), g + " holds no policy version");
  return c;
}

}  // namespace

void write_initial_weights(H5File& file, const PolicyWeights& initial, uint64_t run) {
  write_blob(file, kInitial, serialize_weights(initial), run);
}

bool has_initial_weights(const H5File& file) { return file.exists(kInitial); }

std::shared_ptr<const PolicyWeights> read_initial_weights(const H5File& file,
                                                          uint64_t run) {
  if (!file.exists(kInitial))
    throw FormatError(file.path(), "no " + std::string(kInitial) +
                                       " (written with log.checkpoint_every = 0?)");
  return read_weights(file, kInitial, run);
}

void write_checkpoint(H5File& file, const Checkpoint& c, int keep, uint64_t run) {
  const std::string g = group_of(c.iteration);
  file.remove(g);
  file.create_group(g);
  write_blob(file, g + "/trainer", c.trainer_state, run);
  for (const auto& [version, weights] : c.snapshots)
    write_blob(file, g + "/v" + std::to_string(version), serialize_weights(*weights),
               run);
  file.flush();
  fault_point(FaultPoint::kCheckpoint, static_cast<int64_t>(c.iteration));
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
    const H5File& file, uint64_t run, std::vector<std::string>* passed_over) {
  const auto all = stored(file);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (!is_complete(file, *it)) continue;  // a write a kill cut short
    try {
      return read_checkpoint(file, *it, run);
    } catch (const FormatError& e) {
      if (passed_over) passed_over->push_back(e.what());
    } catch (const IoError& e) {  // a group or attribute of the wrong kind
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
