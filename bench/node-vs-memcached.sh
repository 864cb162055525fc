#!/usr/bin/env bash
# bench/node-vs-memcached.sh: shoal-server's Memcached port against Debian's
# memcached -t 1, side by side in one run, with shoal-bench (the measurement
# the Memcached protocol issue asks for): get/set 1:10 over 50 connections
# without pipelining, pipelined 16 deep, and 10-key multi-gets; then RSS per
# item after loading 1,000,000 items of 16-byte keys and 32-byte values.
#
#   bench/node-vs-memcached.sh [--builddir DIR] [--duration SEC] [--items N]
#
# Servers run on 127.0.0.1 free ports and are stopped by PID at the end.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$top/build
duration=5
items=1000000
while [ $# -gt 0 ]; do
  case $1 in
    --builddir) builddir=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --items) items=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
shoal=$builddir/backend/shoal-server
bench=$builddir/bench/shoal-bench
[ -x "$shoal" ] && [ -x "$bench" ] || { echo "build first (./shoal.sh build)" >&2; exit 1; }
. "$top/bench/lib.sh"
bench_setup mcbench

rss() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$1/status"; }

mport=$(free_port); sport=$(free_port)
memcached -u root -l 127.0.0.1 -p "$mport" -U 0 -t 1 -m 1024 & pids+=($!); mpid=$!
"$shoal" --port 0 --mc-port "$sport" --bind 127.0.0.1 --dir "$work" --logfile "$work/shoal.log" & pids+=($!); spid=$!
wait_port "$mport"; wait_port "$sport"

# ops PORT ARGS... -> requests/s of the mixed test
ops() {
  local port=$1; shift
  "$bench" --protocol memcache -p "$port" -c 50 -t mixed --ratio 1:10 -r 100000 \
    --duration "$duration" -q --json "$work/r.json" "$@" >/dev/null
  /usr/bin/python3 -c 'import json,sys; print("%.0f" % json.load(open(sys.argv[1]))["tests"][0]["ops_per_sec"])' "$work/r.json"
}

echo "| workload | memcached ops/s | shoal-server ops/s | ratio |"
echo "|---|---|---|---|"
for w in "get/set 1:10, no pipelining|" "get/set 1:10, pipeline 16|-P 16" "get/set 1:10, 10-key multi-get|--multiget 10"; do
  name=${w%%|*}; args=${w#*|}
  # load both first so gets hit
  m=$(ops "$mport" $args); s=$(ops "$sport" $args)
  awk -v n="$name" -v m="$m" -v s="$s" 'BEGIN {printf "| %s | %d | %d | %.2fx |\n", n, m, s, s/m}'
done

echo
echo "| server | items | RSS bytes/item |"
echo "|---|---|---|"
for pair in "memcached $mport $mpid" "shoal-server $sport $spid"; do
  set -- $pair
  printf 'flush_all\r\nquit\r\n' | (exec 3<>"/dev/tcp/127.0.0.1/$2"; cat >&3; cat <&3 >/dev/null) || true
  sleep 1
  r0=$(rss "$3")
  "$bench" --protocol memcache -p "$2" -c 50 -P 16 -t set -d 32 -r "$items" --key-pattern sequential \
    -n "$items" -q >/dev/null
  sleep 1
  r1=$(rss "$3")
  awk -v s="$1" -v n="$items" -v r="$((r1 - r0))" 'BEGIN {printf "| %s | %d | %.1f |\n", s, n, r / n}'
done
