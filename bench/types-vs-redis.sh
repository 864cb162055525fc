#!/usr/bin/env bash
# bench/types-vs-redis.sh: the rich types of shoal-server against Debian's
# redis-server, side by side in one run (the rich-types issue's
# measurement): redis-benchmark's list/set/hash/zset tests, then
# used_memory of 100,000 hashes of 10 small fields, 100,000 sorted sets of
# 10 members and one list of 1,000,000 short elements.
#
#   bench/types-vs-redis.sh [--builddir DIR] [-n REQUESTS]    (ROUNDS=3: median of alternating runs; PIPELINE=16: pipelined)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$top/build
requests=500000
while [ $# -gt 0 ]; do
  case $1 in
    --builddir) builddir=$2; shift 2 ;;
    -n) requests=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
shoal=$builddir/backend/shoal-server
[ -x "$shoal" ] || { echo "no $shoal: build first (./shoal.sh build)" >&2; exit 1; }
. "$top/bench/lib.sh"
bench_setup types
rport=$(free_port); sport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
  --logfile "$work/redis.log" & pids+=($!); rpid=$!
"$shoal" --port "$sport" --mc-port 0 --bind 127.0.0.1 --dir "$work" --logfile "$work/shoal.log" & pids+=($!); spid=$!
wait_port "$rport"; wait_port "$sport"

tests="lpush rpush lpop rpop sadd hset spop zadd zpopmin lrange_100"
# one PORT PID TEST -> "ops/s cpu-seconds-per-million"
one() {
  local before after out
  before=$(cpu_ticks "$2")
  out=$(redis-benchmark -p "$1" -t "$3" -n "$requests" -r 100000 -c 50 -P "${PIPELINE:-1}" -q 2>/dev/null | tr '\r' '\n' |
    awk -F': ' '/requests per second/ {split($2, a, " "); v = a[1]} END {print v}')
  after=$(cpu_ticks "$2")
  awk -v o="$out" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN {printf "%s %.2f\n", o, t / hz / (n / 1e6)}'
}
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
rounds=${ROUNDS:-3}
echo "| test | redis-server ops/s | shoal-server ops/s | ratio | redis CPU s/1M | shoal CPU s/1M |"
echo "|---|---|---|---|---|---|"
for t in $tests; do
  : > "$work/r"; : > "$work/s"
  for i in $(seq "$rounds"); do
    # alternate which server goes first, so drift favours neither
    if [ $((i % 2)) -eq 1 ]; then one "$rport" "$rpid" "$t" >> "$work/r"; one "$sport" "$spid" "$t" >> "$work/s"
    else one "$sport" "$spid" "$t" >> "$work/s"; one "$rport" "$rpid" "$t" >> "$work/r"; fi
  done
  ro=$(awk '{print $1}' "$work/r" | median); so=$(awk '{print $1}' "$work/s" | median)
  rc=$(awk '{print $2}' "$work/r" | median); sc=$(awk '{print $2}' "$work/s" | median)
  awk -v t="$t" -v r="$ro" -v s="$so" -v rc="$rc" -v sc="$sc" \
    'BEGIN {printf "| %s | %.0f | %.0f | %.2fx | %s | %s |\n", t, r, s, s / r, rc, sc}'
done

/usr/bin/python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
def cmd(f, *a):
    f.write("*%d\r\n" % len(a) + "".join("$%d\r\n%s\r\n" % (len(x), x) for x in a))
with open(w + "/hash.txt", "w") as f:
    for i in range(100000):
        a = ["HSET", "h:%08d" % i]
        for j in range(10): a += ["field%d" % j, "value%d" % j]
        cmd(f, *a)
with open(w + "/zset.txt", "w") as f:
    for i in range(100000):
        a = ["ZADD", "z:%08d" % i]
        for j in range(10): a += [str(j * 1.5), "member%d" % j]
        cmd(f, *a)
with open(w + "/list.txt", "w") as f:
    for i in range(0, 1000000, 100):
        cmd(f, "RPUSH", "biglist", *["e%d" % (i + j) for j in range(100)])
PY
mem() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}'; }
echo
echo "| data | redis-server used_memory | shoal-server used_memory | ratio |"
echo "|---|---|---|---|"
for data in hash zset list; do
  line="| $data"
  vals=()
  for port in "$rport" "$sport"; do
    redis-cli -p "$port" flushall >/dev/null
    u0=$(mem "$port")
    redis-cli -p "$port" --pipe < "$work/$data.txt" >/dev/null
    u1=$(mem "$port")
    vals+=($((u1 - u0)))
  done
  awk -v d="$data" -v r="${vals[0]}" -v s="${vals[1]}" 'BEGIN {printf "| %s | %d | %d | %.2fx |\n", d, r, s, s / r}'
done
