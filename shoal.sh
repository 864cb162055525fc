#!/usr/bin/env bash
# shoal.sh: the two Quick start commands, and the pieces they are made of.
#
#   ./shoal.sh start   install what is missing, build, run the tier (a proxy in front of two nodes)
#   ./shoal.sh test    install what is missing, build, run the whole test suite
#
# Also: deps (install only), build [configure flags...], test --sanitizers.
# Run as root on Debian 12 (apt is used for the packages the project needs).
set -euo pipefail
cd "$(dirname "$0")"
top=$(pwd)

# Every package the project needs, by Debian name: build, libraries, tests
# (Tcl, and the real peers used as oracles and by the benchmarks).
PACKAGES=(
  build-essential autoconf automake pkg-config
  libevent-dev libssl-dev libjemalloc-dev libyaml-dev
  tcl tcl-tls
  redis-server redis-tools memcached libmemcached-tools nutcracker
  python3 python3-redis python3-pymemcache
)

say() { printf '==> %s\n' "$*" >&2; }

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing packages: ${missing[*]}"
    say "run as root (or: sudo apt-get install ${missing[*]})"
    exit 1
  fi
  say "installing: ${missing[*]}"
  # The peers (redis-server, memcached, nutcracker) are test oracles here,
  # not services: keep apt from starting them on the ports Shoal uses.
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [ $created -eq 1 ] && rm -f "$policy"
  return 0
}

# build DIR [configure flags...]: out-of-tree build in DIR.
build() {
  local dir=$1; shift
  [ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || ./autogen.sh >/dev/null
  mkdir -p "$dir"
  local stamp="$dir/.configure-flags" flags="$*"
  if [ ! -f "$dir/Makefile" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$flags" ]; then
    say "configure $flags"
    (cd "$dir" && "$top/configure" -q "$@")
    echo "$flags" > "$stamp"
  fi
  say "build in $dir"
  make -C "$dir" -j"$(nproc)" -s
}

# start: the tier on the default config: two shoal-server nodes (RESP
# 7001/7002, Memcached 7101/7102, data and logs in build/run/nodeN) and
# shoal-proxy in front of them in the foreground (conf/shoal-proxy.yml:
# Memcached clients on 127.0.0.1:11211, Redis clients on 127.0.0.1:6379).
start() {
  deps
  build build --enable-werror
  local run=$top/build/run i
  NODE_PIDS=()   # global: the EXIT trap runs after this function returns
  for i in 1 2; do
    mkdir -p "$run/node$i"
    build/backend/shoal-server conf/shoal.conf --port "700$i" --mc-port "710$i" \
      --dir "$run/node$i" --logfile "$run/node$i/shoal.log" &
    NODE_PIDS+=($!)
  done
  trap 'kill "${NODE_PIDS[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
  trap 'exit 130' INT TERM
  for i in 1 2; do
    local ok=0
    for _ in $(seq 50); do
      if grep -q "Ready to accept connections" "$run/node$i/shoal.log" 2>/dev/null; then ok=1; break; fi
      sleep 0.1
    done
    [ $ok -eq 1 ] || { say "node $i did not start; its log:"; tail -20 "$run/node$i/shoal.log" >&2; exit 1; }
  done
  say "nodes up: 127.0.0.1:7001/7101 and 127.0.0.1:7002/7102 (logs in build/run)"
  say "shoal-proxy: Memcached clients on 127.0.0.1:11211, Redis clients on 127.0.0.1:6379; Ctrl-C stops the tier"
  build/proxy/shoal-proxy -c conf/shoal-proxy.yml -a 127.0.0.1 "$@"
}

# One pass: build DIR with flags, run every test; adds to the totals.
total_p=0
total_f=0
test_pass() {
  local dir=$1 extra=$2; shift 2
  build "$dir" "$@"
  make -C "$dir" -j"$(nproc)" -s check-programs
  local log=$dir/test-run.log
  tests/run-all --builddir "$top/$dir" --srcdir "$top" $extra "${pass_args[@]}" 2>&1 | tee "$log" || true
  local last
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  [ -n "$last" ] || last="0 passed, 1 failed"
  total_p=$((total_p + $(echo "$last" | awk '{print $1}')))
  total_f=$((total_f + $(echo "$last" | awk '{print $3}')))
}

# test: the whole suite on the normal build, then again on the
# ASan+UBSan build (--no-sanitizers: only the first, --sanitizers: only
# the second). Ends with one "N passed, N failed" line summing both.
run_tests() {
  deps
  local normal=1 sanitizers=1
  pass_args=()
  for a in "$@"; do
    case $a in
      --no-sanitizers) sanitizers=0 ;;
      --sanitizers) normal=0 ;;
      *) pass_args+=("$a") ;;
    esac
  done
  if [ $normal -eq 1 ]; then
    say "pass 1: release build (-O2, -Werror)"
    test_pass build "" --enable-werror
  fi
  if [ $sanitizers -eq 1 ]; then
    say "pass 2: AddressSanitizer + UndefinedBehaviorSanitizer build"
    test_pass build-sanitizers --sanitizers --enable-werror --enable-sanitizers --enable-debug
  fi
  echo "== both passes:"
  echo "$total_p passed, $total_f failed"
  [ "$total_f" -eq 0 ]
}

case "${1:-}" in
  start) shift; start "$@" ;;
  test)  shift; run_tests "$@" ;;
  deps)  deps ;;
  build) shift; deps; build build --enable-werror "$@" ;;
  *)
    cat <<USAGE
usage: ./shoal.sh start | test [--no-sanitizers|--sanitizers] [runtest args] | deps | build [configure flags]
  start   install missing packages, build, run the tier: shoal-proxy (11211 Memcached, 6379 Redis)
          in front of two shoal-server nodes (conf/shoal-proxy.yml, conf/shoal.conf)
  test    install missing packages, build, run the C unit tests and the Tcl suite, on the
          release build and again under ASan+UBSan (--no-sanitizers / --sanitizers: one pass)
USAGE
    exit 2 ;;
esac
