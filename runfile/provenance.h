// Where a run file came from, beyond its config: the source, the command,
// the machine's arithmetic and the libraries, the container image and the
// Slurm job. Root attributes of every run file (docs/hdf5-layout.md);
// `raftsim reproduce` names the ones that differ when bits differ, and
// `raftsim summarize` warns when compared runs differ in them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/h5_file.h"

namespace raftsim {

struct Provenance {
  std::string source_commit;     // git commit of the build, or "unknown"
  std::string source_dirty;      // "yes", "no" or "unknown"
  std::string command_line;      // this process's argv, space-separated
  std::string compute_identity;  // models/policies/compute_identity.h
  std::string libraries;         // installed Debian packages, "name version; ..."
  std::string image;             // /etc/raftsim/image in the container, else ""
  std::string slurm;             // "job J array A task T" under Slurm, else ""
};

// This process's provenance.
Provenance current_provenance();

void write_provenance(H5File& file, const Provenance& p);
// Fields a file does not hold (made before provenance was recorded) are
// empty.
Provenance read_provenance(const H5File& file);

// The attribute names and the values of each field, in a fixed order.
std::vector<std::pair<std::string, std::string>> provenance_fields(const Provenance& p);

// "name: a -> b" for every field that can change a run's bits
// (source_commit, compute_identity, libraries, image) and differs.
std::vector<std::string> provenance_differences(const Provenance& a,
                                                const Provenance& b);

}  // namespace raftsim
