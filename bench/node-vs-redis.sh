#!/usr/bin/env bash
# bench/node-vs-redis.sh: shoal-server against Debian's redis-server, side by
# side in one run, with redis-benchmark (the measurement the storage node
# issue asks for). Prints a Markdown table of ops/s, CPU seconds per million
# requests, and bytes per key after loading 1,000,000 keys.
#
#   bench/node-vs-redis.sh [--builddir DIR] [-n REQUESTS] [--rounds N] [--keys N] [--readme FILE]
#
# --readme FILE also puts the tables into FILE between the lines
# <!-- node-vs-redis:begin --> and <!-- node-vs-redis:end -->.
#
# Servers run on 127.0.0.1 free ports and are stopped by PID at the end.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$top/build
requests=1000000
rounds=1
keys=1000000
readme=
while [ $# -gt 0 ]; do
  case $1 in
    --readme) readme=$2; shift 2 ;;
    --builddir) builddir=$2; shift 2 ;;
    -n) requests=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
shoal=$builddir/backend/shoal-server
[ -x "$shoal" ] || { echo "no $shoal: build first (./shoal.sh build)" >&2; exit 1; }
. "$top/bench/lib.sh"
bench_setup bench

hz=$(getconf CLK_TCK)

if [ -n "$readme" ]; then
  # run again, capturing the tables, and put them into the README
  out=$(mktemp)
  "$0" --builddir "$builddir" -n "$requests" --rounds "$rounds" --keys "$keys" | tee "$out"
  /usr/bin/python3 - "$readme" "$out" "$(uname -m) $(nproc) cores, $(date -u +%Y-%m-%d)" <<'PY'
import sys
path, out, machine = sys.argv[1], sys.argv[2], sys.argv[3]
b, e = "<!-- node-vs-redis:begin -->", "<!-- node-vs-redis:end -->"
text = open(path).read()
head, rest = text.split(b, 1)
tail = rest.split(e, 1)[1]
body = open(out).read().strip()
open(path, "w").write(head + b + "\n" + body + "\n\n(" + machine + ")\n" + e + tail)
PY
  rm -f "$out"
  exit 0
fi

rport=$(free_port); sport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
  --logfile "$work/redis.log" & pids+=($!); rpid=$!
"$shoal" --port "$sport" --mc-port 0 --bind 127.0.0.1 --dir "$work" --logfile "$work/shoal.log" & pids+=($!); spid=$!
wait_port "$rport"; wait_port "$sport"

# run PORT PID PIPELINE -> "ops_set ops_get cpu_s_per_M"
run() {
  local port=$1 pid=$2 pipe=$3 before after out
  before=$(cpu_ticks "$pid")
  out=$(redis-benchmark -p "$port" -t set,get -n "$requests" -r 100000 -c 50 -P "$pipe" -q 2>/dev/null | tr '\r' '\n')
  after=$(cpu_ticks "$pid")
  local set get
  set=$(echo "$out" | awk '/^SET:/ {print $2}' | tail -1)
  get=$(echo "$out" | awk '/^GET:/ {print $2}' | tail -1)
  local cpu
  cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v n=$((requests * 2)) 'BEGIN {printf "%.2f", t / hz / (n / 1e6)}')
  echo "$set $get $cpu"
}

echo "| pipeline | server | SET ops/s | GET ops/s | CPU s per 1M requests |"
echo "|---|---|---|---|---|"
for pipe in 1 16; do
  for r in $(seq "$rounds"); do
    read -r rs rg rc < <(run "$rport" "$rpid" "$pipe")
    read -r ss sg sc < <(run "$sport" "$spid" "$pipe")
    echo "| $pipe | redis-server | $rs | $rg | $rc |"
    echo "| $pipe | shoal-server | $ss | $sg | $sc |"
    awk -v a="$ss" -v b="$rs" -v c="$sg" -v d="$rg" -v p="$pipe" \
      'BEGIN {printf "| %s | ratio shoal/redis | %.2fx | %.2fx | |\n", p, a/b, c/d}'
  done
done

# Memory per key: N keys "key:%012d" (16 bytes) with 32-byte values.
gen=$work/load.txt
/usr/bin/python3 - "$keys" "$gen" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
val = "v" * 32
with open(path, "w") as f:
    for i in range(n):
        k = "key:%012d" % i
        f.write("*3\r\n$3\r\nSET\r\n$16\r\n%s\r\n$32\r\n%s\r\n" % (k, val))
PY
mem() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: -v f="$2" '$1 == f {print $2}'; }
echo
echo "| server | keys | used_memory bytes/key | RSS bytes/key |"
echo "|---|---|---|---|"
for pair in "redis-server $rport $rpid" "shoal-server $sport $spid"; do
  set -- $pair
  redis-cli -p "$2" flushall >/dev/null
  u0=$(mem "$2" used_memory); r0=$(awk '/VmRSS/ {print $2 * 1024}' "/proc/$3/status")
  redis-cli -p "$2" --pipe < "$gen" >/dev/null
  u1=$(mem "$2" used_memory); r1=$(awk '/VmRSS/ {print $2 * 1024}' "/proc/$3/status")
  dbsize=$(redis-cli -p "$2" dbsize)
  awk -v s="$1" -v n="$dbsize" -v u="$((u1 - u0))" -v r="$((r1 - r0))" \
    'BEGIN {printf "| %s | %d | %.1f | %.1f |\n", s, n, u / n, r / n}'
done
