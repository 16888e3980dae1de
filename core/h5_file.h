// H5File: raftsim's only door to HDF5. A file of attributes, appendable
// tables, fixed datasets, string lists and external links, addressed by
// path ("/metrics/gold_reward_mean"). It knows nothing of what a run or a
// sweep stores; runfile/run_layout.h and sweep/manifest.h do.
//
// Every appended table is an extendible, chunked dataset; flush() makes
// every row appended so far survive a SIGKILL of the writer. Optionally
// (SWMR) readers can follow a file while it is written.
//
// Errors: every failure is an IoError naming the file, the operation and
// HDF5's reason (H5::Exception, which does not derive from std::exception,
// never leaves this wrapper). Not thread-safe: one thread owns an H5File.
// Move-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.h"

namespace raftsim {

class H5File {
 public:
  // Creates `path`. Throws IoError if it exists and !overwrite, or if it
  // cannot be created. `swmr` makes a file that start_swmr() can
  // later open to concurrent readers (HDF5 1.10 file format).
  static H5File create(const std::string& path, bool overwrite, bool swmr = false);
  // Opens an existing file for reading only (IoError if it cannot be
  // opened as HDF5); `swmr` reads a file that a
  // writer has open in SWMR mode (each read() sees the rows flushed so far).
  static H5File open_read(const std::string& path, bool swmr = false);
  // Opens an existing file for reading and writing (to continue a run).
  static H5File open_write(const std::string& path);

  H5File(H5File&&) noexcept;
  H5File& operator=(H5File&&) noexcept;
  ~H5File();

  const std::string& path() const;

  // Root (or `object`) string, integer and double attributes; rewriting
  // replaces.
  void set_attribute(const std::string& name, const std::string& value,
                     const std::string& object = "/");
  void set_attribute(const std::string& name, int64_t value,
                     const std::string& object = "/");
  void set_double_attribute(const std::string& name, double value,
                            const std::string& object = "/");
  double double_attribute(const std::string& name,
                          const std::string& object = "/") const;
  std::string string_attribute(const std::string& name,
                               const std::string& object = "/") const;
  int64_t int_attribute(const std::string& name, const std::string& object = "/") const;
  bool has_attribute(const std::string& name, const std::string& object = "/") const;
  std::vector<std::string> attribute_names(const std::string& object = "/") const;

  // Creates the group `path` (and its parents) if it does not exist.
  void create_group(const std::string& path);

  // Appends one row to each /group/<name>. The first call fixes the set of
  // names; later calls must give the same names (so all stay one length).
  void append_row(const std::string& group,
                  const std::vector<std::pair<std::string, double>>& values);

  // Appends `rows` rows of `width` values to the dataset at `path`
  // (creating it, and its groups, on first use). width 1 gives a 1-D dataset.
  void append(const std::string& path, const double* data, size_t rows,
              size_t width = 1);
  void append(const std::string& path, const float* data, size_t rows,
              size_t width = 1);
  void append(const std::string& path, const int32_t* data, size_t rows,
              size_t width = 1);
  void append(const std::string& path, const uint8_t* data, size_t rows,
              size_t width = 1);

  // Writes a fixed dataset of the given shape (row-major).
  void write(const std::string& path, const std::vector<double>& data,
             const std::vector<size_t>& shape);
  void write(const std::string& path, const std::vector<int32_t>& data,
             const std::vector<size_t>& shape);
  // A 1-D uint8 dataset of raw bytes (a blob), and reading one back.
  void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes);
  std::vector<uint8_t> read_bytes(const std::string& path) const;

  // Shrinks the first dimension of an appendable dataset to `rows`.
  void truncate(const std::string& path, size_t rows);
  // Unlinks a dataset or group (no error if it does not exist).
  void remove(const std::string& path);

  // A 1-D dataset of variable-length strings, and reading one back.
  void write_strings(const std::string& path, const std::vector<std::string>& values);
  std::vector<std::string> read_strings(const std::string& path) const;

  // An external link at `path` to `object` in the file `target_file`
  // (a path relative to this file's directory resolves from there).
  void link_external(const std::string& path, const std::string& target_file,
                     const std::string& object = "/");

  // Reading: a whole dataset as doubles (any numeric type), its shape, and
  // the names below a group.
  std::vector<double> read(const std::string& path) const;
  std::vector<size_t> shape(const std::string& path) const;
  std::vector<std::string> list(const std::string& group) const;
  bool exists(const std::string& path) const;

  // Creates the empty tables /group/<name> that append_row() will fill.
  void create_table(const std::string& group, const std::vector<std::string>& names);

  // Single-writer/multiple-reader mode: from now on readers may open the
  // file with open_read(path, true) while it is written. Every dataset must
  // exist before this. Setting an attribute afterwards ends SWMR mode (the
  // file is reopened normally), so a final `status` can still be written.
  void start_swmr();
  // Whether the file is in SWMR mode now (an attribute write leaves it;
  // start_swmr() enters it again).
  bool swmr_writing() const;

  void flush();
  void close();

  // Whether a write to some file of this process failed (HDF5 1.10.8 then
  // crashes in its own exit handlers: callers end with _exit instead).
  static bool any_broken();

 private:
  struct Impl;
  explicit H5File(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace raftsim
