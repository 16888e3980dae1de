// ScratchDir: a private directory under TMPDIR (mkdtemp), removed with
// everything in it when the object goes out of scope, on every path out
// (a return, an exception). Move-only.
#pragma once

#include <string>

namespace raftsim {

class ScratchDir {
 public:
  // `prefix`: the directory's name before its random suffix
  // ("raftsim-bench"). Throws IoError when it cannot be created.
  explicit ScratchDir(const std::string& prefix);
  ScratchDir(ScratchDir&& other) noexcept;
  ScratchDir& operator=(ScratchDir&& other) noexcept;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();

  const std::string& path() const { return path_; }
  // path() / name.
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  void remove();
  std::string path_;
};

}  // namespace raftsim
