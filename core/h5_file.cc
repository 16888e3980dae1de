#include "core/h5_file.h"

#include <H5Cpp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace raftsim {

namespace {

constexpr hsize_t kChunkRows = 256;

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

template <class T>
const H5::PredType& mem_type();
template <>
const H5::PredType& mem_type<double>() {
  return H5::PredType::NATIVE_DOUBLE;
}
template <>
const H5::PredType& mem_type<float>() {
  return H5::PredType::NATIVE_FLOAT;
}
template <>
const H5::PredType& mem_type<int32_t>() {
  return H5::PredType::NATIVE_INT32;
}
template <>
const H5::PredType& mem_type<uint8_t>() {
  return H5::PredType::NATIVE_UINT8;
}

template <class T>
const H5::PredType& file_type();
template <>
const H5::PredType& file_type<double>() {
  return H5::PredType::IEEE_F64LE;
}
template <>
const H5::PredType& file_type<float>() {
  return H5::PredType::IEEE_F32LE;
}
template <>
const H5::PredType& file_type<int32_t>() {
  return H5::PredType::STD_I32LE;
}
template <>
const H5::PredType& file_type<uint8_t>() {
  return H5::PredType::STD_U8LE;
}

H5::StrType vl_string() { return H5::StrType(H5::PredType::C_S1, H5T_VARIABLE); }

// HDF5 prints its error stack to stderr by default; raftsim reports each
// failure in one line of its own instead.
void quiet_hdf5() {
  thread_local const bool once = [] {
    H5::Exception::dontPrint();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

// HDF5's own reason for the last failure: the innermost message of the
// calling thread's error stack ("file signature not found"), or "".
std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* e, void* out) -> herr_t {
        if (n == 0 && e->desc) *static_cast<std::string*>(out) = e->desc;
        return 0;
      },
      &reason);
  return reason;
}

// One line: the operating system's reason where HDF5 quotes one ("No
// space left on device"), else HDF5's innermost message.
std::string describe(const H5::Exception& e) {
  const int os_error = errno;
  std::string inner = hdf5_reason();
  const std::string tag = "error message = '";
  const auto at = inner.find(tag);
  if (at != std::string::npos) {
    const auto end = inner.find('\'', at + tag.size());
    inner = inner.substr(at + tag.size(), end - at - tag.size());
  }
  const auto newline = inner.find('\n');
  if (newline != std::string::npos) inner = inner.substr(0, newline);
  if (inner.empty()) inner = e.getDetailMsg();
  // The C++ wrapper's own stack may not quote the system's reason.
  if ((os_error == ENOSPC || os_error == EIO || os_error == EDQUOT ||
       os_error == EROFS || os_error == EFBIG) &&
      inner.find(std::strerror(os_error)) == std::string::npos)
    inner += " (" + std::string(std::strerror(os_error)) + ")";
  return inner;
}

std::atomic<bool> g_any_broken{false};

// Closes a dataset when its scope ends, also on the way out of a failed
// write: HDF5's C++ wrapper would otherwise close it in its destructor and,
// on a full disk, print "DataSet::~DataSet - H5Dclose failed" to stderr
// beside raftsim's own line. The first failure is reported by the caller.
struct CloseQuietly {
  H5::DataSet& ds;
  ~CloseQuietly() {
    try {
      ds.close();
    } catch (const H5::Exception&) {
    }
  }
};

// Runs `f`, translating HDF5's exceptions (which do not derive from
// std::exception) and std::exception into IoError(path, what, reason).
template <class F>
auto guarded(const std::string& path, const std::string& what, F&& f) -> decltype(f()) {
  quiet_hdf5();  // per thread: the library's error stacks are
  try {
    return f();
  } catch (const H5::Exception& e) {
    throw IoError(path, what, describe(e));
  } catch (const IoError&) {
    throw;
  } catch (const std::exception& e) {
    throw IoError(path, what, e.what());
  }
}

// Free space (a removed checkpoint's) is tracked in the file itself, so a
// file reopened to continue reuses it instead of growing.
H5::FileCreatPropList reusable_space() {
  H5::FileCreatPropList fcpl;
  H5Pset_file_space_strategy(fcpl.getId(), H5F_FSPACE_STRATEGY_FSM_AGGR, 1, 1);
  return fcpl;
}

H5::FileAccPropList latest_format() {
  H5::FileAccPropList fapl;
  fapl.setLibverBounds(H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  return fapl;
}

// A writer's access list without HDF5's own file lock (a flock). raftsim
// keeps one writer per file with its own lock (core/file_lock.h); HDF5's
// could only let a reader break a writer: a SWMR reader holding the file
// made the writer's reopen to leave SWMR mode fail, and the run with it
// (test_cli: a_swmr_reader_holding_the_file_...).
H5::FileAccPropList without_hdf5_lock(H5::FileAccPropList fapl) {
  if (H5Pset_file_locking(fapl.getId(), false, true) < 0)
    throw std::runtime_error("H5Pset_file_locking failed");
  return fapl;
}
}  // namespace

struct H5File::Impl {
  std::string path;
  H5::H5File file;
  bool writable = false;
  bool swmr_format = false;   // created with the latest format bounds
  bool swmr_writing = false;  // start_swmr() called, not yet ended
  bool swmr_reading = false;
  // A flush failed (a full disk, an I/O error): HDF5 1.10 crashes if such a
  // file is flushed again, so it is only closed, once.
  bool broken = false;
  bool closed = false;
  std::map<std::string, std::set<std::string>> row_names;  // append_row groups

  // Abandoned files are left as their last flush wrote them, untouched:
  //  - after a failed write in SWMR mode HDF5 1.10 crashes (SIGSEGV in
  //    H5Fflush and in H5Fclose) when the file is touched again; the rows
  //    flushed before stay readable after h5clear -s, as for a killed
  //    SWMR writer;
  //  - past the file-size limit (EFBIG, ulimit -f) a later metadata write
  //    would record an end of file beyond what the limit let be written,
  //    and the whole file would no longer open.
  bool abandoned = false;

  // A write through guarded(), refused at once on an abandoned file.
  template <class F>
  void writing(const std::string& what, F&& f) {
    if (abandoned) throw IoError(path, what, "an earlier write to it failed");
    try {
      guarded(path, what, std::forward<F>(f));
    } catch (...) {
      if (swmr_writing || errno == EFBIG) {
        abandoned = broken = true;
        g_any_broken = true;
      }
      throw;
    }
  }

  bool exists(const std::string& p) const {
    if (p == "/") return true;
    // Check each prefix: H5Lexists fails on a missing intermediate group.
    std::string prefix;
    size_t pos = 1;
    while (true) {
      const auto next = p.find('/', pos);
      prefix = p.substr(0, next);
      if (H5Lexists(file.getId(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
      if (next == std::string::npos) return true;
      pos = next + 1;
    }
  }

  void ensure_group(const std::string& g) {
    if (exists(g)) return;
    ensure_group(parent_of(g));
    file.createGroup(g);
  }

  // Leaves SWMR mode by reopening the file normally (attributes cannot be
  // written in SWMR mode), without HDF5's lock (without_hdf5_lock); a
  // reader open across the reopen may see an error and open the file again
  // (raftsim.follow does).
  void end_swmr() {
    if (abandoned) throw std::runtime_error("an earlier write to it failed");
    if (!swmr_writing) return;
    file.flush(H5F_SCOPE_GLOBAL);
    file.close();
    file = H5::H5File(path, H5F_ACC_RDWR, H5::FileCreatPropList::DEFAULT,
                      without_hdf5_lock(latest_format()));
    swmr_writing = false;
  }

  // Calls f(object) on the group or dataset at `name`.
  template <class F>
  auto with_object(const std::string& name, F&& f) const {
    if (name == "/") return f(const_cast<H5::H5File&>(file));
    if (file.childObjType(name) == H5O_TYPE_GROUP) {
      H5::Group g = file.openGroup(name);
      return f(g);
    }
    H5::DataSet d = file.openDataSet(name);
    CloseQuietly close_d{d};
    return f(d);
  }

  // Writes a scalar attribute of file type `stored` from memory type `memory`.
  void set_scalar_attribute(const std::string& name, const std::string& object,
                            const H5::PredType& stored, const H5::PredType& memory,
                            const void* value) {
    guarded(path, "write attribute " + name, [&] {
      end_swmr();
      with_object(object, [&](H5::H5Object& obj) {
        if (obj.attrExists(name)) obj.removeAttr(name);
        obj.createAttribute(name, stored, H5::DataSpace(H5S_SCALAR))
            .write(memory, value);
      });
    });
  }

  template <class T>
  void append(const std::string& p, const T* data, size_t rows, size_t width) {
    const int rank = width == 1 ? 1 : 2;
    H5::DataSet ds;
    CloseQuietly close_ds{ds};
    hsize_t cur[2] = {0, width};
    if (!exists(p)) {
      ensure_group(parent_of(p));
      hsize_t maxdims[2] = {H5S_UNLIMITED, width};
      // ~256 rows of metrics, ~4096 values of wider tables per chunk.
      hsize_t chunk[2] = {rank == 1 ? kChunkRows : std::max<hsize_t>(16, 4096 / width),
                          width};
      H5::DataSpace space(rank, cur, maxdims);
      H5::DSetCreatPropList props;
      props.setChunk(rank, chunk);
      ds = file.createDataSet(p, file_type<T>(), space, props);
    } else {
      ds = file.openDataSet(p);
      H5::DataSpace space = ds.getSpace();
      if (space.getSimpleExtentNdims() != rank)
        throw std::runtime_error(p + " has another rank");
      space.getSimpleExtentDims(cur);
      if (rank == 2 && cur[1] != width)
        throw std::runtime_error(p + " has another width");
    }
    if (rows == 0) return;
    hsize_t grown[2] = {cur[0] + rows, width};
    ds.extend(grown);
    H5::DataSpace fspace = ds.getSpace();
    hsize_t start[2] = {cur[0], 0}, count[2] = {rows, width};
    fspace.selectHyperslab(H5S_SELECT_SET, count, start);
    H5::DataSpace mspace(rank, count);
    ds.write(data, mem_type<T>(), mspace, fspace);
    // Close here, so that a failed write surfaces as an error now instead of
    // in a destructor that cannot report it (a full disk lost rows so).
    ds.close();
  }

  template <class T>
  void write(const std::string& p, const std::vector<T>& data,
             const std::vector<size_t>& shape) {
    size_t n = 1;
    std::vector<hsize_t> dims;
    for (size_t d : shape) {
      n *= d;
      dims.push_back(d);
    }
    if (n != data.size()) throw std::runtime_error(p + ": shape mismatch");
    ensure_group(parent_of(p));
    if (exists(p)) H5Ldelete(file.getId(), p.c_str(), H5P_DEFAULT);
    H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
    H5::DataSet ds = file.createDataSet(p, file_type<T>(), space);
    CloseQuietly close_ds{ds};
    if (n > 0) ds.write(data.data(), mem_type<T>());
    ds.close();
  }
};

H5File::H5File(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
H5File::H5File(H5File&&) noexcept = default;
H5File& H5File::operator=(H5File&&) noexcept = default;
H5File::~H5File() {
  try {
    close();
  } catch (...) {
  }
  // After a failed write HDF5 1.10's C++ wrapper closes the file a second
  // time in its destructor and crashes; its handle is dropped instead (the
  // process is ending its run anyway; the rows flushed before stay).
  if (impl_ && impl_->broken) static_cast<void>(impl_.release());
}

// Each opening goes through guarded(), like every other call: HDF5's
// exceptions become IoError(path, operation, reason).
H5File H5File::create(const std::string& path, bool overwrite, bool swmr) {
  if (!overwrite && access(path.c_str(), F_OK) == 0)
    throw IoError(path, "create", "it exists (pass --overwrite to replace it)");
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->file = guarded(path, "create", [&] {
    return H5::H5File(
        path, overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL, reusable_space(),
        without_hdf5_lock(swmr ? latest_format() : H5::FileAccPropList()));
  });
  impl->writable = true;
  impl->swmr_format = swmr;
  return H5File(std::move(impl));
}

H5File H5File::open_write(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->file = guarded(path, "open for writing", [&] {
    return H5::H5File(path, H5F_ACC_RDWR, H5::FileCreatPropList::DEFAULT,
                      without_hdf5_lock(H5::FileAccPropList()));
  });
  impl->writable = true;
  return H5File(std::move(impl));
}

H5File H5File::open_read(const std::string& path, bool swmr) {
  // HDF5 would block for ever opening a FIFO, and read a device.
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw IoError(path, "open", "it is not a regular file");
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->file = guarded(path, "open", [&] {
    return H5::H5File(path, swmr ? H5F_ACC_RDONLY | H5F_ACC_SWMR_READ : H5F_ACC_RDONLY);
  });
  impl->swmr_reading = swmr;
  return H5File(std::move(impl));
}

void H5File::create_table(const std::string& group,
                          const std::vector<std::string>& names) {
  impl_->writing("create " + group, [&] {
    for (const auto& name : names)
      impl_->append(group + "/" + name, static_cast<const double*>(nullptr), 0, 1);
    impl_->row_names[group] = std::set<std::string>(names.begin(), names.end());
  });
}

void H5File::start_swmr() {
  guarded(impl_->path, "start SWMR writing", [&] {
    if (!impl_->swmr_format)
      throw std::logic_error("the file was created without SWMR support");
    flush();
    if (H5Fstart_swmr_write(impl_->file.getId()) < 0)
      throw std::runtime_error("H5Fstart_swmr_write failed");
    impl_->swmr_writing = true;
  });
}

bool H5File::swmr_writing() const { return impl_->swmr_writing; }

const std::string& H5File::path() const { return impl_->path; }

void H5File::set_attribute(const std::string& name, const std::string& value,
                           const std::string& object) {
  impl_->writing("write attribute " + name, [&] {
    impl_->end_swmr();
    impl_->with_object(object, [&](H5::H5Object& obj) {
      if (obj.attrExists(name)) obj.removeAttr(name);
      H5::Attribute a =
          obj.createAttribute(name, vl_string(), H5::DataSpace(H5S_SCALAR));
      a.write(vl_string(), value);
    });
  });
}

void H5File::set_attribute(const std::string& name, int64_t value,
                           const std::string& object) {
  impl_->set_scalar_attribute(name, object, H5::PredType::STD_I64LE,
                              H5::PredType::NATIVE_INT64, &value);
}

void H5File::set_double_attribute(const std::string& name, double value,
                                  const std::string& object) {
  impl_->set_scalar_attribute(name, object, H5::PredType::IEEE_F64LE,
                              H5::PredType::NATIVE_DOUBLE, &value);
}

double H5File::double_attribute(const std::string& name,
                                const std::string& object) const {
  return guarded(impl_->path, "read attribute " + name, [&] {
    return impl_->with_object(object, [&](H5::H5Object& obj) {
      double v = 0;
      obj.openAttribute(name).read(H5::PredType::NATIVE_DOUBLE, &v);
      return v;
    });
  });
}

bool H5File::has_attribute(const std::string& name, const std::string& object) const {
  return guarded(impl_->path, "read attribute " + name, [&] {
    return impl_->with_object(object,
                              [&](H5::H5Object& obj) { return obj.attrExists(name); });
  });
}

std::vector<std::string> H5File::attribute_names(const std::string& object) const {
  return guarded(impl_->path, "list the attributes of " + object, [&] {
    return impl_->with_object(object, [&](H5::H5Object& obj) {
      std::vector<std::string> out;
      const int n = obj.getNumAttrs();
      for (int i = 0; i < n; ++i)
        out.push_back(obj.openAttribute(static_cast<unsigned>(i)).getName());
      return out;
    });
  });
}

void H5File::create_group(const std::string& path) {
  impl_->writing("create " + path, [&] { impl_->ensure_group(path); });
}

std::string H5File::string_attribute(const std::string& name,
                                     const std::string& object) const {
  return guarded(impl_->path, "read attribute " + name, [&] {
    return impl_->with_object(object, [&](H5::H5Object& obj) {
      H5::Attribute a = obj.openAttribute(name);
      std::string out;
      a.read(a.getStrType(), out);
      return out;
    });
  });
}

int64_t H5File::int_attribute(const std::string& name,
                              const std::string& object) const {
  return guarded(impl_->path, "read attribute " + name, [&] {
    return impl_->with_object(object, [&](H5::H5Object& obj) {
      H5::Attribute a = obj.openAttribute(name);
      int64_t v = 0;
      a.read(H5::PredType::NATIVE_INT64, &v);
      return v;
    });
  });
}

void H5File::append_row(const std::string& group,
                        const std::vector<std::pair<std::string, double>>& values) {
  impl_->writing("append a row to " + group, [&] {
    std::set<std::string> names;
    for (const auto& [name, _] : values) names.insert(name);
    auto it = impl_->row_names.find(group);
    if (it == impl_->row_names.end()) {
      impl_->row_names.emplace(group, names);
    } else if (it->second != names) {
      throw std::runtime_error(group + " rows must always name the same columns");
    }
    for (const auto& [name, v] : values) impl_->append(group + "/" + name, &v, 1, 1);
  });
}

void H5File::append(const std::string& path, const double* d, size_t rows,
                    size_t width) {
  impl_->writing("append to " + path, [&] { impl_->append(path, d, rows, width); });
}
void H5File::append(const std::string& path, const float* d, size_t rows,
                    size_t width) {
  impl_->writing("append to " + path, [&] { impl_->append(path, d, rows, width); });
}
void H5File::append(const std::string& path, const int32_t* d, size_t rows,
                    size_t width) {
  impl_->writing("append to " + path, [&] { impl_->append(path, d, rows, width); });
}
void H5File::append(const std::string& path, const uint8_t* d, size_t rows,
                    size_t width) {
  impl_->writing("append to " + path, [&] { impl_->append(path, d, rows, width); });
}

void H5File::write(const std::string& path, const std::vector<double>& data,
                   const std::vector<size_t>& shape) {
  impl_->writing("write " + path, [&] { impl_->write(path, data, shape); });
}
void H5File::write(const std::string& path, const std::vector<int32_t>& data,
                   const std::vector<size_t>& shape) {
  impl_->writing("write " + path, [&] { impl_->write(path, data, shape); });
}

void H5File::write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  impl_->writing("write " + path, [&] {
    impl_->ensure_group(parent_of(path));
    if (impl_->exists(path)) H5Ldelete(impl_->file.getId(), path.c_str(), H5P_DEFAULT);
    hsize_t n = bytes.size();
    H5::DataSpace space(1, &n);
    H5::DataSet ds = impl_->file.createDataSet(path, H5::PredType::STD_U8LE, space);
    CloseQuietly close_ds{ds};
    if (n > 0) ds.write(bytes.data(), H5::PredType::NATIVE_UINT8);
  });
}

std::vector<uint8_t> H5File::read_bytes(const std::string& path) const {
  return guarded(impl_->path, "read " + path, [&] {
    H5::DataSet ds = impl_->file.openDataSet(path);
    CloseQuietly close_ds{ds};
    std::vector<uint8_t> out(
        static_cast<size_t>(ds.getSpace().getSimpleExtentNpoints()));
    if (!out.empty()) ds.read(out.data(), H5::PredType::NATIVE_UINT8);
    return out;
  });
}

void H5File::truncate(const std::string& path, size_t rows) {
  impl_->writing("truncate " + path, [&] {
    H5::DataSet ds = impl_->file.openDataSet(path);
    CloseQuietly close_ds{ds};
    H5::DataSpace space = ds.getSpace();
    hsize_t dims[2] = {0, 0};
    space.getSimpleExtentDims(dims);
    if (dims[0] <= rows) return;
    dims[0] = rows;
    ds.extend(dims);
  });
}

void H5File::remove(const std::string& path) {
  impl_->writing("remove " + path, [&] {
    if (impl_->exists(path)) H5Ldelete(impl_->file.getId(), path.c_str(), H5P_DEFAULT);
  });
}

void H5File::write_strings(const std::string& path,
                           const std::vector<std::string>& values) {
  impl_->writing("write " + path, [&] {
    impl_->ensure_group(parent_of(path));
    if (impl_->exists(path)) H5Ldelete(impl_->file.getId(), path.c_str(), H5P_DEFAULT);
    std::vector<const char*> ptrs;
    for (const auto& v : values) ptrs.push_back(v.c_str());
    hsize_t n = values.size();
    H5::DataSpace space(1, &n);
    H5::DataSet ds = impl_->file.createDataSet(path, vl_string(), space);
    CloseQuietly close_ds{ds};
    if (n > 0) ds.write(ptrs.data(), vl_string());
  });
}

std::vector<std::string> H5File::read_strings(const std::string& path) const {
  return guarded(impl_->path, "read " + path, [&] {
    H5::DataSet ds = impl_->file.openDataSet(path);
    CloseQuietly close_ds{ds};
    const auto n = static_cast<size_t>(ds.getSpace().getSimpleExtentNpoints());
    std::vector<char*> ptrs(n, nullptr);
    if (n > 0) ds.read(ptrs.data(), vl_string());
    std::vector<std::string> out;
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    if (n > 0) {
      H5::DataSpace space = ds.getSpace();
      H5Dvlen_reclaim(vl_string().getId(), space.getId(), H5P_DEFAULT, ptrs.data());
    }
    return out;
  });
}

void H5File::link_external(const std::string& path, const std::string& target_file,
                           const std::string& object) {
  impl_->writing("link " + path, [&] {
    impl_->ensure_group(parent_of(path));
    if (impl_->exists(path)) H5Ldelete(impl_->file.getId(), path.c_str(), H5P_DEFAULT);
    if (H5Lcreate_external(target_file.c_str(), object.c_str(), impl_->file.getId(),
                           path.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0)
      throw std::runtime_error("H5Lcreate_external failed for " + target_file);
  });
}

std::vector<double> H5File::read(const std::string& path) const {
  return guarded(impl_->path, "read " + path, [&] {
    H5::DataSet ds = impl_->file.openDataSet(path);
    CloseQuietly close_ds{ds};
    if (impl_->swmr_reading) H5Drefresh(ds.getId());
    const hssize_t n = ds.getSpace().getSimpleExtentNpoints();
    std::vector<double> out(static_cast<size_t>(n));
    if (n > 0) ds.read(out.data(), H5::PredType::NATIVE_DOUBLE);
    return out;
  });
}

std::vector<size_t> H5File::shape(const std::string& path) const {
  return guarded(impl_->path, "read the shape of " + path, [&] {
    H5::DataSpace space = impl_->file.openDataSet(path).getSpace();
    std::vector<hsize_t> dims(static_cast<size_t>(space.getSimpleExtentNdims()));
    space.getSimpleExtentDims(dims.data());
    return std::vector<size_t>(dims.begin(), dims.end());
  });
}

std::vector<std::string> H5File::list(const std::string& group) const {
  return guarded(impl_->path, "list " + group, [&] {
    std::vector<std::string> out;
    if (!impl_->exists(group)) return out;
    H5::Group g = impl_->file.openGroup(group);
    for (hsize_t i = 0; i < g.getNumObjs(); ++i) out.push_back(g.getObjnameByIdx(i));
    return out;
  });
}

bool H5File::exists(const std::string& path) const { return impl_->exists(path); }

void H5File::flush() {
  if (!impl_ || !impl_->writable || impl_->closed) return;
  if (impl_->broken)
    throw IoError(impl_->path, "flush", "an earlier write to it failed");
  // A flush that would reach past the file-size limit writes a superblock
  // whose end of file the rest could not follow: the file would no longer
  // open. It is left as its last flush wrote it instead.
  struct rlimit limit {};
  haddr_t eoa = 0;
  if (getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      H5Fget_eoa(impl_->file.getId(), &eoa) >= 0 && eoa > limit.rlim_cur) {
    impl_->abandoned = impl_->broken = true;
    g_any_broken = true;
    throw IoError(
        impl_->path, "flush",
        std::string(std::strerror(EFBIG)) + " (the file-size limit, ulimit -f)");
  }
  try {
    guarded(impl_->path, "flush", [&] { impl_->file.flush(H5F_SCOPE_GLOBAL); });
  } catch (...) {
    if (errno == EFBIG) impl_->abandoned = true;
    impl_->broken = true;
    g_any_broken = true;
    throw;
  }
}

void H5File::close() {
  if (!impl_ || impl_->closed || impl_->file.getId() < 0) return;
  std::exception_ptr failed;
  if (impl_->writable && !impl_->broken) {
    try {
      flush();
    } catch (...) {
      failed = std::current_exception();
    }
  }
  impl_->closed = true;
  if (impl_->abandoned) return;  // reported when its write failed
  try {
    guarded(impl_->path, "close", [&] { impl_->file.close(); });
  } catch (...) {
    if (!failed) failed = std::current_exception();
  }
  if (failed) {
    impl_->broken = true;
    g_any_broken = true;
    std::rethrow_exception(failed);
  }
}

bool H5File::any_broken() { return g_any_broken.load(); }

}  // namespace raftsim
