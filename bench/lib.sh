# bench/lib.sh: what the side-by-side bench scripts share (sourced, not run):
# a work dir and the servers they start, both cleaned up on exit; free
# ports on 127.0.0.1; waiting for a port; a process's CPU ticks.
#   bench_setup NAME   sets $work and an EXIT trap stopping every pid in $pids
bench_setup() {
  work=$(mktemp -d "/tmp/shoal-$1.XXXXXX")
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits until 127.0.0.1:PORT accepts connections (10 s at most).
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  exit 1
}

# user+system CPU ticks a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
