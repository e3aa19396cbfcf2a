# Sourced by the benchmark scripts: `start_sim BIN ARGS...` starts
# `BIN sim ARGS... --port 0`, waits until it listens, and sets $url; on exit
# the simulator is stopped and $SIM_CLEANUP (a command, if set) runs.
start_sim() {
  local bin=$1
  shift
  sim_fifo=$(mktemp -u) && mkfifo "$sim_fifo"
  "$bin" sim "$@" --port 0 >"$sim_fifo" 2>&1 &
  sim_pid=$!
  trap 'kill "$sim_pid" 2>/dev/null || true; rm -f "$sim_fifo"; '"${SIM_CLEANUP:-true}" EXIT
  url=""
  while IFS= read -r -t 10 line; do
    case "$line" in "Listening on "*) url=${line#Listening on }; url=${url%% *}; break ;; esac
  done <"$sim_fifo"
  cat "$sim_fifo" >/dev/null &
  [ -n "$url" ] || { echo "the simulator did not start" >&2; exit 2; }
}
