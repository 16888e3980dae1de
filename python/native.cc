// raftsim._native: the C++ libraries as a Python extension (pybind11).
// Everything here is a thin call into api/ and analysis/; the Python side
// (python/raftsim/) builds the user's API over it. A run goes through
// api/run_request.h, the same door as `raftsim run`, so one configuration
// gives the same /metrics bits from Python and from the command line.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>

#include "analysis/comparison.h"
#include "analysis/grid_edges.h"
#include "analysis/statistics.h"
#include "analysis/summary.h"
#include "analysis/tuning.h"
#include "analysis/tuning_cost.h"
#include "api/key_help.h"
#include "api/run_request.h"
#include "core/errors.h"
#include "core/file_lock.h"
#include "core/version.h"
#include "experiment/run_config.h"

namespace py = pybind11;
using namespace raftsim;

namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_stop_now{false};

// While a run holds the process, SIGINT does what it does in `raftsim
// run`: the first stops new iterations (the file ends `interrupted`), a
// second closes the file at once. Python's own handler is put back after,
// and the caller raises KeyboardInterrupt.
void on_sigint(int) {
  if (!g_interrupted.exchange(true)) return;
  g_stop_now.store(true);
}

class SigintScope {
 public:
  SigintScope() {
    g_interrupted = false;
    g_stop_now = false;
    struct sigaction action {};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &saved_);
  }
  ~SigintScope() { sigaction(SIGINT, &saved_, nullptr); }
  SigintScope(const SigintScope&) = delete;
  SigintScope& operator=(const SigintScope&) = delete;

 private:
  struct sigaction saved_ {};
};

// A Python object the actors' threads may copy and drop without the GIL:
// copies share one reference, and the last one takes the GIL to release it.
std::shared_ptr<py::object> hold(const py::object& fn) {
  return std::shared_ptr<py::object>(new py::object(fn), [](py::object* o) {
    py::gil_scoped_acquire gil;
    delete o;
  });
}

std::string describe(const py::handle& fn) {
  if (py::hasattr(fn, "__qualname__")) return py::str(fn.attr("__qualname__"));
  return py::repr(fn);
}

// A Python callable fn(prompts, responses) -> float array (n,) as a reward
// the workers call: the GIL is taken for the call only. prompts is int32
// (n, prompt_length), one row per sample; responses int32 (n,
// response_length), or on the points task float32 (n, dim).
RewardOverride::Function python_reward(const py::object& fn, const std::string& role) {
  if (fn.is_none()) return {};
  if (!PyCallable_Check(fn.ptr()))
    throw ConfigError(role, py::str(py::repr(fn)), "a callable fn(prompts, responses)");
  const std::string name = role + " callable " + describe(fn);
  std::shared_ptr<py::object> held = hold(fn);
  return [held, name](uint64_t, const Samples& s, std::vector<double>& out) {
    py::gil_scoped_acquire gil;
    const py::ssize_t n = s.size();
    try {
      py::array_t<int32_t> prompts({n, static_cast<py::ssize_t>(s.prompt_length)});
      int32_t* p = prompts.mutable_data();
      for (py::ssize_t i = 0; i < n; ++i)
        std::copy_n(s.prompt(static_cast<int32_t>(i / s.k)), s.prompt_length,
                    p + i * s.prompt_length);
      py::array responses;
      if (s.point_dim > 0) {
        py::array_t<float> points({n, static_cast<py::ssize_t>(s.point_dim)});
        std::copy(s.points.begin(), s.points.end(), points.mutable_data());
        responses = points;
      } else {
        py::array_t<int32_t> tokens({n, static_cast<py::ssize_t>(s.response_length)});
        std::copy(s.responses.begin(), s.responses.end(), tokens.mutable_data());
        responses = tokens;
      }
      const py::object result = (*held)(prompts, responses);
      const auto values =
          py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(
              result);
      if (!values || values.ndim() != 1 || values.shape(0) != n) {
        std::string shape = "something that is not an array of numbers";
        if (values) {  // a list or an array numpy could read, of another shape
          shape = "(";
          for (py::ssize_t d = 0; d < values.ndim(); ++d)
            shape += (d ? ", " : "") + std::to_string(values.shape(d));
          shape += values.ndim() == 1 ? ",)" : ")";
        }
        throw std::runtime_error(
            name + " returned " + shape + " for a batch of " + std::to_string(n) +
            " samples: must return floats of shape (" + std::to_string(n) + ",)");
      }
      std::copy_n(values.data(), n, out.begin());
    } catch (py::error_already_set& e) {
      throw std::runtime_error(name + " raised " + one_line(e));
    }
  };
}

// What on_row left behind: whether it asked the run to stop, and the
// exception it raised (re-raised once the run has ended).
struct RowCallbackState {
  bool stopped = false;
  std::optional<py::error_already_set> raised;
};

// A Python callable on_row(row: dict) called with each /metrics row as it
// is logged; False (or an exception) stops the run as Ctrl-C would.
decltype(RunHooks::on_row) python_on_row(const py::object& fn,
                                         RowCallbackState& state) {
  if (fn.is_none()) return {};
  if (!PyCallable_Check(fn.ptr()))
    throw ConfigError("on_row", py::str(py::repr(fn)), "a callable on_row(row)");
  std::shared_ptr<py::object> held = hold(fn);
  return [held, &state](uint64_t iteration,
                        const std::vector<std::pair<std::string, double>>& row) {
    py::gil_scoped_acquire gil;
    if (state.stopped) return;
    try {
      py::dict d;
      d["iteration"] = iteration;
      for (const auto& [name, value] : row) d[py::str(name)] = value;
      const py::object answer = (*held)(d);
      if (answer.is_none() || answer.cast<bool>()) return;
    } catch (py::error_already_set& e) {
      state.raised = std::move(e);
    }
    state.stopped = true;
    g_interrupted.store(true);
  };
}

py::dict run(const std::string& config_path, std::optional<std::string> ini_text,
             const std::vector<std::string>& sets, const std::string& out,
             bool overwrite, bool quiet, const std::string& resume,
             const py::object& gold, const py::object& proxy,
             const py::object& on_row) {
  RunRequest request;
  request.config_path = config_path;
  request.ini_text = std::move(ini_text);
  request.sets = sets;
  request.out = out;
  request.overwrite = overwrite;
  request.resume = resume;
  RewardOverride external;
  external.gold = python_reward(gold, "gold");
  external.proxy = python_reward(proxy, "proxy");
  if (!gold.is_none()) external.description = "gold = " + describe(gold);
  if (!proxy.is_none())
    external.description += (external.description.empty() ? "" : ", ") +
                            std::string("proxy = ") + describe(proxy);
  RunHooks hooks;
  hooks.quiet = quiet;
  hooks.interrupt = &g_interrupted;
  hooks.stop_now = &g_stop_now;
  RowCallbackState row_state;
  hooks.on_row = python_on_row(on_row, row_state);
  PreparedRun prepared = prepare_run(request);  // ConfigError before any work
  if (external.gold || external.proxy) {
    try {
      check_external_reward(prepared.config, external);
    } catch (const ConfigError&) {
      if (prepared.lock && prepared.lock->created())
        std::filesystem::remove(prepared.out);
      throw;
    }
    hooks.external_reward = std::make_shared<const RewardOverride>(std::move(external));
  }
  RunOutcome outcome;
  bool interrupted = false;
  {
    py::gil_scoped_release release;
    SigintScope sigint;
    outcome = start_run(prepared, hooks);
    interrupted = g_interrupted.load() && !row_state.stopped;
  }
  hooks = RunHooks();  // the callables go while this thread holds the GIL
  if (row_state.raised) throw *row_state.raised;
  py::dict result;
  result["path"] = prepared.out;
  result["status"] = to_string(outcome.status);
  result["iterations_logged"] = outcome.iterations_logged;
  result["first_iteration"] = prepared.plan ? prepared.plan->first_iteration : 0;
  result["error"] = outcome.error;
  result["interrupted"] = interrupted;
  result["stopped"] = row_state.stopped;
  result["notes"] = prepared.notes;
  return result;
}

py::list schema() {
  py::list keys;
  const RunConfig defaults;
  for (const auto& k : run_config_schema().keys()) {
    py::dict key;
    key["name"] = k.name;
    key["default"] = k.get(defaults);
    key["help"] = k.help;
    keys.append(key);
  }
  return keys;
}

py::dict interval(const stats::ConfidenceInterval& ci) {
  py::dict d;
  d["estimate"] = ci.estimate;
  d["lo"] = ci.lo;
  d["hi"] = ci.hi;
  return d;
}

py::dict paired(const stats::Paired& p) {
  py::dict d;
  d["n"] = p.n;
  d["mean_t"] = interval(p.mean_t);
  d["mean_boot"] = interval(p.mean_boot);
  d["median"] = p.median;
  d["positive"] = p.positive;
  d["negative"] = p.negative;
  d["ties"] = p.ties;
  d["sign_p"] = p.sign_p;
  d["wilcoxon_p"] = p.wilcoxon_p;
  d["t_p"] = p.t_p;
  return d;
}

SummaryOptions summary_options(const std::string& metric, double fraction) {
  SummaryOptions options;
  if (!metric.empty()) options.metric = metric;
  if (!(fraction > 0 && fraction <= 1))
    throw ConfigError("fraction", std::to_string(fraction), "a number in (0, 1]");
  options.fraction = fraction;
  return options;
}

py::dict summarize(const std::vector<std::string>& inputs, const std::string& metric,
                   double fraction) {
  const auto files = collect_run_files(inputs);
  const SummaryOptions options = summary_options(metric, fraction);
  RunSummary summary;
  {
    py::gil_scoped_release release;
    summary = summarize_runs(files, options);
  }
  py::list points;
  for (const auto& p : summary.points) {
    py::dict point;
    point["params"] = p.params;
    point["runs"] = p.runs;
    point["seeds"] = p.seeds;
    point["per_run"] = p.per_run;
    point["final_gold_median"] = p.final_gold_median;
    point["final_gold_trimmed"] = p.final_gold_trimmed;
    const std::pair<const char*, const Estimate*> estimates[] = {
        {"final_gold", &p.final_gold},         {"peak_gold", &p.peak_gold},
        {"peak_iteration", &p.peak_iteration}, {"kl_at_peak", &p.kl_at_peak},
        {"final_gap", &p.final_gap},           {"fall", &p.fall}};
    for (const auto& [name, e] : estimates)
      point[name] = py::make_tuple(e->mean, e->ci95);
    py::dict measures;
    for (const auto& [name, e] : p.measures)
      measures[py::str(name)] =
          py::make_tuple(e.mean, e.ci95, p.measure_medians.at(name));
    point["measures"] = measures;
    point["reached"] = p.reached;
    points.append(point);
  }
  py::list skipped;
  for (const auto& s : summary.skipped) skipped.append(s.reason);
  py::dict result;
  result["files"] = files;
  result["points"] = points;
  result["skipped"] = skipped;
  result["warnings"] = summary.warnings;
  result["edges"] =
      grid_edges(summary.points, "final", "final " + summary.metric, summary.failed);
  result["metric"] = summary.metric;
  result["start"] = summary.start;
  result["best"] = summary.best;
  result["target"] = summary.target;
  result["no_run_has_metric"] = no_run_has_metric(summary);
  return result;
}

// {"rows": comparisons, "tuned": the choices of --tune}.
py::dict compare(const std::vector<std::string>& inputs, const std::string& spec,
                 const std::vector<std::string>& metrics, uint64_t seed,
                 const std::string& metric, double fraction, const std::string& test,
                 const std::string& tune, const std::string& tuning_seeds) {
  const auto [key, baseline] = parse_compare(spec);
  if (tune.empty() != tuning_seeds.empty())
    throw ConfigError(
        tune.empty() ? "tuning_seeds" : "tune", tune.empty() ? tuning_seeds : tune,
        std::string("given with ") + (tune.empty() ? "tune" : "tuning_seeds"));
  if (!tune.empty() && tune == key)
    throw ConfigError("tune", tune, "a key other than compare's");
  const RunSummary summary =
      summarize_runs(collect_run_files(inputs), summary_options(metric, fraction));
  std::vector<PointSummary> points = summary.points;
  std::vector<std::string> choices;
  if (!tune.empty()) {
    TunedPoints tuned = select_on_tuning_seeds(points, tune, tuning_seeds, "final");
    points = std::move(tuned.points);
    choices = std::move(tuned.choices);
  }
  auto comparisons = compare_points(points, key, baseline, metrics, seed);
  if (!test.empty()) declare_test(comparisons, test);
  py::list rows;
  for (const auto& c : comparisons) {
    py::dict row;
    row["params"] = c.params;
    row["key"] = c.key;
    row["value"] = c.value;
    row["baseline"] = c.baseline;
    row["metric"] = c.metric;
    row["paired"] = paired(c.paired);
    row["test"] = c.test;
    row["p"] = c.p;
    row["p_holm"] = c.p_holm;
    rows.append(row);
  }
  py::dict result;
  result["rows"] = rows;
  result["tuned"] = choices;
  return result;
}

}  // namespace

PYBIND11_MODULE(_native, m) {
  m.doc() = "raftsim's C++ libraries; use the package `raftsim`, not this module";
  m.attr("version") = kVersion;
  // The messages are the CLI's: "KEY = 'VALUE' is not allowed: must be ...".
  static py::exception<ConfigError> config_error(m, "ConfigError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      py::object error = static_cast<py::object&>(config_error)(e.what());
      error.attr("key") = e.key();
      error.attr("value") = e.value();
      error.attr("allowed") = e.allowed();
      PyErr_SetObject(config_error.ptr(), error.ptr());
    }
  });
  m.def("run", &run, py::arg("config_path"), py::arg("ini_text"), py::arg("sets"),
        py::arg("out"), py::arg("overwrite"), py::arg("quiet"), py::arg("resume"),
        py::arg("gold") = py::none(), py::arg("proxy") = py::none(),
        py::arg("on_row") = py::none());
  m.def("schema", &schema);
  m.def("writer_holds", &FileLock::is_held, py::arg("path"),
        "whether a raftsim process holds the run file's lock (is writing it)");
  m.def("key_help", &key_help);
  m.def("summarize", &summarize, py::arg("inputs"), py::arg("metric") = "",
        py::arg("fraction") = 0.9);
  m.def("compare", &compare, py::arg("inputs"), py::arg("spec"), py::arg("metrics"),
        py::arg("seed") = 1, py::arg("metric") = "", py::arg("fraction") = 0.9,
        py::arg("test") = "", py::arg("tune") = "", py::arg("tuning_seeds") = "");

  auto s = m.def_submodule("stats", "analysis/statistics.h");
  s.def("mean", &stats::mean);
  s.def("sd", &stats::sd);
  s.def("median", &stats::median);
  s.def("trimmed_mean", &stats::trimmed_mean, py::arg("x"), py::arg("fraction") = 0.2);
  s.def("t_cdf", &stats::t_cdf, py::arg("t"), py::arg("dof"));
  s.def("t_quantile", &stats::t_quantile, py::arg("p"), py::arg("dof"));
  s.def(
      "t_interval",
      [](const std::vector<double>& x, double level) {
        return interval(stats::t_interval(x, level));
      },
      py::arg("x"), py::arg("level") = 0.95);
  s.def(
      "bootstrap",
      [](const std::vector<double>& x, const std::string& statistic, uint64_t seed,
         int resamples, double level) {
        stats::Statistic f;
        if (statistic == "mean")
          f = &stats::mean;
        else if (statistic == "median")
          f = [](const std::vector<double>& v) { return stats::median(v); };
        else
          throw ConfigError("statistic", statistic, "mean or median");
        return interval(stats::bootstrap(x, f, seed, resamples, level));
      },
      py::arg("x"), py::arg("statistic") = "mean", py::arg("seed") = 1,
      py::arg("resamples") = 10000, py::arg("level") = 0.95);
  s.def("sign_test_p", &stats::sign_test_p, py::arg("positive"), py::arg("negative"));
  s.def("wilcoxon_p", &stats::wilcoxon_p, py::arg("differences"));
  s.def(
      "compare_paired",
      [](const std::vector<double>& a, const std::vector<double>& b, uint64_t seed,
         double level) { return paired(stats::compare_paired(a, b, seed, level)); },
      py::arg("a"), py::arg("b"), py::arg("seed") = 1, py::arg("level") = 0.95);
  s.def("fall", &stats::fall, py::arg("curve"));
  s.def("t_test_p", &stats::t_test_p, py::arg("differences"));
  s.def("holm", &stats::holm, py::arg("p"));
  s.def("expected_max", &stats::expected_max, py::arg("values"), py::arg("n_max"));
  s.def(
      "expected_max_interval",
      [](const std::vector<double>& values, int n, uint64_t seed, int resamples,
         double level) {
        return interval(
            stats::expected_max_interval(values, n, seed, resamples, level));
      },
      py::arg("values"), py::arg("n"), py::arg("seed") = 1, py::arg("resamples") = 2000,
      py::arg("level") = 0.95);
  s.def("variance_explained", &stats::variance_explained, py::arg("y"),
        py::arg("group"));
  s.def("quantile_bins", &stats::quantile_bins, py::arg("x"), py::arg("bins"));
}
