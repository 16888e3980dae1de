// Grids that do not bracket their optimum (issue 25): a best point on the
// edge of a grid says only that the optimum lies at or beyond it, so a
// comparison of tuned arms built on it is an artefact of where the grid
// stops.
#pragma once

#include <string>
#include <vector>

#include "analysis/summary.h"

namespace raftsim {

// For each key whose values across `points` are all numbers, within each
// group of points that agree on every other varying key and hold at least
// three values of it: when the point with the highest mean of `measure`
// sits at the group's lowest or highest value, one line naming the key, the
// value, the grid's range and the group. `measure` is "final_gold" or one
// of metric_measures() (of SummaryOptions::metric), named `label` in the
// lines; higher is taken as better. A value beyond the best where runs of
// the group failed (`failed`: RunSummary::failed, a divergence) brackets
// that side: the grid has found where training breaks.
std::vector<std::string> grid_edges(const std::vector<PointSummary>& points,
                                    const std::string& measure,
                                    const std::string& label,
                                    const std::vector<Params>& failed = {});

}  // namespace raftsim
