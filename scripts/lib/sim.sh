# Sourced by the compatibility scripts: builds (or takes) the doctor and starts its simulator on a
# free port, reading from its stdout, line by line and with a deadline, the address it listens on
# and the credentials it prints; no fixed sleeps. The caller sets `repo`, then calls
# `begin_script NAME`.
#
# Environment:
#   DOCTOR_BIN  use this anypoint-doctor binary instead of `cargo build --release`.
#   READY_SECS  how long to wait for the simulator to say where it listens (default 30).

sim_pid=""
drain_pid=""

# begin_script NAME: sets `work`, a temporary folder removed on exit, as the simulator is stopped;
# `die` then prints its message after NAME and exits 2.
begin_script() {
    script_name=$1
    work=$(mktemp -d "${TMPDIR:-/tmp}/$script_name.XXXXXX")
    trap 'stop_sim; rm -rf "$work"' EXIT
    trap 'exit 130' INT TERM
}

die() {
    echo "$script_name: $*" >&2
    exit 2
}

# Sets `doctor`.
find_doctor() {
    if [[ -n "${DOCTOR_BIN:-}" ]]; then
        doctor=$DOCTOR_BIN
    else
        echo "== cargo build --release"
        (cd "$repo" && cargo build --release --quiet) || die "cargo build failed"
        doctor="$repo/target/release/anypoint-doctor"
    fi
    [[ -x "$doctor" ]] || die "no executable doctor at $doctor"
}

# start_sim SIM-ARGS...: runs `$doctor sim --port 0 SIM-ARGS...` and sets `url`, `port`,
# `client_id`, `client_secret` and `admin_token`.
start_sim() {
    mkfifo "$work/sim.out"
    "$doctor" sim --port 0 "$@" >"$work/sim.out" 2>"$work/sim.err" &
    sim_pid=$!
    exec 3<"$work/sim.out"
    url="" port="" client_id="" client_secret="" admin_token=""
    local line status left deadline=$((SECONDS + ${READY_SECS:-30}))
    while [[ -z "$port" || -z "$client_id" || -z "$client_secret" || -z "$admin_token" ]]; do
        left=$((deadline - SECONDS))
        ((left > 0)) || die "the simulator did not say where it listens within ${READY_SECS:-30} s"
        status=0
        IFS= read -r -t "$left" line <&3 || status=$?
        if ((status > 128)); then
            die "the simulator did not say where it listens within ${READY_SECS:-30} s"
        elif ((status != 0)); then
            cat "$work/sim.err" >&2
            die "the simulator stopped before it was ready"
        fi
        echo "$line" >>"$work/sim.log"
        case "$line" in
            "Listening on http"*"://127.0.0.1:"*)
                url=${line#Listening on }
                url=${url%% *}
                port=${url##*:}
                ;;
            *"export ANYPOINT_CLIENT_ID="*) client_id=${line#*=} ;;
            *"export ANYPOINT_CLIENT_SECRET="*) client_secret=${line#*=} ;;
            *"export ANYPOINT_ADMIN_BEARER="*) admin_token=${line#*=} ;;
        esac
    done
    # Keep reading whatever else it prints, so it never writes into a closed pipe.
    cat <&3 >>"$work/sim.log" &
    drain_pid=$!
    exec 3<&-
    echo "== simulator on $url (pid $sim_pid), client id $client_id"
}

# Only the processes start_sim started, by pid.
stop_sim() {
    if [[ -n "$sim_pid" ]]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
    if [[ -n "$drain_pid" ]]; then kill "$drain_pid" 2>/dev/null || true; fi
}
