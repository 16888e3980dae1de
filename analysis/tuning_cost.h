// What a random search over an algorithm's knobs says about the cost of
// tuning it (the tuning_cost study, experiments/tuning_cost.sh):
//
//   expected_max   the expected best of n trials, n = 1 .. n_max, from the
//                  N observed trial values (Dodge et al. 2019, "Show your
//                  work"): n draws with replacement from the empirical
//                  distribution, so for sorted v_(1) <= ... <= v_(N),
//                  E[max of n] = sum_i v_(i) ((i / N)^n - ((i - 1) / N)^n).
//                  At n = 1 it is the mean; it rises to the largest value.
//   variance_explained  the share of the variance of y between the groups
//                  (eta squared of a one-way analysis of variance):
//                  1 - within-group sum of squares / total sum of squares.
//   quantile_bins  each value's bin among `bins` of equal count by rank
//                  (ties in rank order), so a continuous knob can be grouped.
// A knob's importance is the variance of the trials' outcome explained by
// its quantile bins. With N trials and B bins a knob with no effect still
// explains about (B - 1) / (N - 1) in expectation: the reference level.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/statistics.h"

namespace raftsim::stats {

// [n_max] values for n = 1 .. n_max; empty for no values.
std::vector<double> expected_max(std::vector<double> values, int n_max);
// The percentile-bootstrap interval of the expected best of n trials
// (resampling the trials).
ConfidenceInterval expected_max_interval(const std::vector<double>& values, int n,
                                         uint64_t seed, int resamples = 2000,
                                         double level = 0.95);

// Throws std::invalid_argument unless y and group have the same size; NaN
// for fewer than 2 values or no spread.
double variance_explained(const std::vector<double>& y, const std::vector<int>& group);
std::vector<int> quantile_bins(const std::vector<double>& x, int bins);

}  // namespace raftsim::stats
