#!/usr/bin/env bash
# Launch-to-first-paint and idle memory of the Herald binary ($1, default the release
# build), each run on a fresh data folder. Run under a display, e.g. `make measure-launch`.
# First paint is logged by the app itself when the window reports its first frame.
set -uo pipefail
app=${1:-target/release/herald}
runs=${RUNS:-3}
for i in $(seq 1 "$runs"); do
  d=$(mktemp -d /tmp/herald-launch-XXXX)
  HERALD_DATA_DIR=$d NO_AT_BRIDGE=1 "$app" >/dev/null 2>&1 &
  pid=$!
  sleep "${IDLE_SECONDS:-10}"
  fp=$(grep -ho 'first paint ms=[0-9]*' "$d"/logs/*.log | head -1)
  procs="$pid $(pgrep -P "$pid" | tr '\n' ' ')"
  for k in $(pgrep -P "$pid"); do procs="$procs $(pgrep -P "$k" | tr '\n' ' ')"; done
  rss=0; pss=0; detail=""
  for p in $procs; do
    r=$(awk '/^VmRSS:/{print $2}' "/proc/$p/status" 2>/dev/null) || continue
    s=$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null) || continue
    [ -z "$r" ] && continue
    rss=$((rss + r)); pss=$((pss + s)); detail="$detail $(cat "/proc/$p/comm")=$((s / 1024))MB"
  done
  echo "run $i: ${fp:-first paint not logged}; idle PSS $((pss / 1024)) MB, RSS sum $((rss / 1024)) MB (PSS:$detail)"
  kill "$pid"; wait "$pid" 2>/dev/null
  rm -rf "$d"
done
