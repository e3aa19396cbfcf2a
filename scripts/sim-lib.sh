# Sourced by the benchmark scripts: `start_sim BIN ARGS...` starts
# `BIN sim ARGS... --port 0`, waits until it listens, and sets $url; on exit
# the simulator is stopped and $SIM_CLEANUP (a command, if set) runs;
# `stop_sim` stops it sooner (as Ctrl-C does) and prints its last line: the
# requests it answered and how many were refused for the rate.
start_sim() {
  local bin=$1
  shift
  sim_fifo=$(mktemp -u) && mkfifo "$sim_fifo"
  sim_log=$(mktemp)
  "$bin" sim "$@" --port 0 >"$sim_fifo" 2>&1 &
  sim_pid=$!
  trap 'kill "$sim_pid" 2>/dev/null || true; rm -f "$sim_fifo" "$sim_log"; '"${SIM_CLEANUP:-true}" EXIT
  url=""
  # One reading end, open from the first line to the simulator's exit: were
  # it closed and opened again between the two readers, a line written
  # meanwhile would find no reader, and the simulator would stop on the
  # broken pipe (a benchmark run then sees "connection refused").
  exec {sim_out}<"$sim_fifo"
  while IFS= read -r -t 10 -u "$sim_out" line; do
    case "$line" in "Listening on "*) url=${line#Listening on }; url=${url%% *}; break ;; esac
  done
  cat <&"$sim_out" >"$sim_log" &
  sim_reader=$!
  exec {sim_out}<&-
  [ -n "$url" ] || { echo "the simulator did not start" >&2; exit 2; }
}

stop_sim() {
  kill -INT "$sim_pid" 2>/dev/null || true
  wait "$sim_pid" 2>/dev/null || true
  wait "$sim_reader" 2>/dev/null || true
  grep -E "^Answered" "$sim_log" | sed 's/^/  simulator: /' || true
  rm -f "$sim_fifo" "$sim_log"
}
