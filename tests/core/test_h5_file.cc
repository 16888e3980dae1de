// Run files: attributes, appended rows, fixed datasets, read back.
#define BOOST_TEST_MODULE run_file
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>

#include "core/h5_file.h"

using namespace raftsim;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/raftsim-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

BOOST_AUTO_TEST_CASE(rows_attributes_and_tables_round_trip) {
  TempDir dir;
  const std::string p = (dir.path / "run.h5").string();
  {
    H5File f = H5File::create(p, false);
    f.set_attribute("status", "running");
    f.set_attribute("seed", int64_t{42});
    for (int i = 0; i < 300; ++i)  // more rows than one chunk
      f.append_row("/metrics", {{"a", i * 1.0}, {"b", -i * 0.5}});
    const int32_t resp[6] = {1, 2, 3, 4, 5, 6};
    f.append("/samples/response", resp, 3, 2);
    f.append("/samples/response", resp, 1, 2);
    f.write("/task/gold", std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
    f.set_attribute("status", "complete");
    f.flush();
  }
  H5File r = H5File::open_read(p);
  BOOST_TEST(r.string_attribute("status") == "complete");
  BOOST_TEST(r.int_attribute("seed") == 42);
  const auto a = r.read("/metrics/a");
  BOOST_TEST(a.size() == 300u);
  BOOST_TEST(a[299] == 299.0);
  BOOST_TEST(r.read("/metrics/b")[10] == -5.0);
  BOOST_TEST((r.shape("/samples/response") == std::vector<size_t>{4, 2}));
  BOOST_TEST(r.read("/samples/response")[7] == 2.0);
  BOOST_TEST((r.shape("/task/gold") == std::vector<size_t>{2, 3}));
  BOOST_TEST((r.list("/metrics") == std::vector<std::string>{"a", "b"}));
  BOOST_TEST(!r.exists("/nothing/here"));
}

BOOST_AUTO_TEST_CASE(rows_must_keep_their_columns) {
  TempDir dir;
  H5File f = H5File::create((dir.path / "run.h5").string(), false);
  f.append_row("/metrics", {{"a", 1.0}});
  BOOST_CHECK_THROW(f.append_row("/metrics", {{"a", 1.0}, {"c", 2.0}}),
                    std::runtime_error);
}

BOOST_AUTO_TEST_CASE(existing_file_is_not_overwritten_without_permission) {
  TempDir dir;
  const std::string p = (dir.path / "run.h5").string();
  { H5File::create(p, false).append_row("/metrics", {{"a", 7.0}}); }
  BOOST_CHECK_THROW(H5File::create(p, false), std::runtime_error);
  BOOST_TEST(H5File::open_read(p).read("/metrics/a").at(0) == 7.0);
  { H5File::create(p, true); }
  BOOST_TEST(!H5File::open_read(p).exists("/metrics"));
}
