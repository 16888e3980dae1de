#!/usr/bin/env bash
# Fails when an include points up the layer order
#   core -> models -> actors -> run -> sweep -> analysis -> cli
# (a file may include its own layer and the layers before it; tests/ may
# include anything). Also fails when a CAF-free file includes CAF:
# models/ and core/ never see it, nor do the CAF-free files of actors/
# (schedule, run status, config, report types) that the run layout links.
# Prints every offending include, or one line saying all is well.
set -euo pipefail
cd "$(dirname "$0")/.."
layers=(core models actors run sweep analysis cli)
rank() {
  local i
  for i in "${!layers[@]}"; do [[ "${layers[$i]}" == "$1" ]] && { echo "$i"; return; }; done
  echo -1
}
caf_free=(actors/actors_config.h actors/actors_config.cc actors/run_status.h actors/run_status.cc
          actors/schedule.h actors/schedule.cc actors/iteration_report.h actors/reward_snapshot.h actors/report_sink.h
          actors/run_clock.h run/run_config.h run/run_config.cc run/run_layout.h run/run_layout.cc
          run/metrics_row.h run/metrics_row.cc)
bad=0
checked=0
for dir in "${layers[@]}"; do
  own=$(rank "$dir")
  for f in "$dir"/*.h "$dir"/*.cc; do
    [[ -f "$f" ]] || continue
    checked=$((checked + 1))
    while IFS= read -r line; do
      target=${line#*\"}
      target=${target%%/*}
      r=$(rank "$target")
      if [[ $r -gt $own ]]; then
        echo "check-layers: $f includes \"${line#*\"} ($dir may not include $target, a later layer)"
        bad=1
      fi
    done < <(grep -E '^#include "[a-z_]+/' "$f" || true)
    if [[ "$dir" == core || "$dir" == models ]] || printf '%s\n' "${caf_free[@]}" | grep -qx "$f"; then
      if grep -qE '^#include [<"](caf/|actors/(messages|coordinator|generator|logger|ranker_actor|reward_worker|trainer_actor)\.h)' "$f"; then
        echo "check-layers: $f includes CAF, but it must build without it"
        bad=1
      fi
    fi
  done
done
if [[ $bad -ne 0 ]]; then
  echo "check-layers: includes point up the layer order (see docs/architecture.md)"
  exit 1
fi
echo "check-layers: $checked files, every include points down (${layers[*]})"
