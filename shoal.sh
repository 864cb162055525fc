#!/usr/bin/env bash
# shoal.sh: the two Quick start commands, and the pieces they are made of.
#
#   ./shoal.sh start   install what is missing, build, run the tier in the foreground
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

start() {
  deps
  build build --enable-werror
  say "starting a shoal-server node (conf/shoal.conf: 127.0.0.1:6379); Ctrl-C stops it"
  exec build/backend/shoal-server conf/shoal.conf "$@"
}

run_tests() {
  deps
  local dir=build flags=(--enable-werror) extra=()
  if [ "${1:-}" = "--sanitizers" ]; then
    shift; dir=build-sanitizers; flags+=(--enable-sanitizers --enable-debug); extra=(--sanitizers)
  fi
  build "$dir" "${flags[@]}"
  make -C "$dir" -j"$(nproc)" -s check-programs
  tests/run-all --builddir "$top/$dir" --srcdir "$top" "${extra[@]}" "$@"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  test)  shift; run_tests "$@" ;;
  deps)  deps ;;
  build) shift; deps; build build --enable-werror "$@" ;;
  *)
    cat <<USAGE
usage: ./shoal.sh start | test [--sanitizers] | deps | build [configure flags]
  start   install missing packages, build, run a node in the foreground (conf/shoal.conf)
  test    install missing packages, build, run the C unit tests and the Tcl suite
USAGE
    exit 2 ;;
esac
