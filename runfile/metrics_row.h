// The columns of /metrics and /timing: one table of {name, extractor} over
// an IterationReport, so that a column's name and its value are written in
// one place (docs/hdf5-layout.md documents each).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "loop/iteration_report.h"

namespace raftsim {

struct Column {
  const char* name;
  double (*value)(const IterationReport& report);
};

// /metrics, in order; the eval_gold_* columns only when the task has
// held-out prompts (`evaluated`).
std::vector<Column> metric_columns(bool evaluated);
// /timing, in order. rss_bytes is read from the OS when the row is made.
std::vector<Column> timing_columns();

std::vector<std::string> column_names(const std::vector<Column>& columns);
// (name, value) of every column for one report.
std::vector<std::pair<std::string, double>> make_row(const std::vector<Column>& columns,
                                                     const IterationReport& report);

}  // namespace raftsim
