# tests/integration/bench.tcl: shoal-bench end to end against a node (the
# server under test, or --server /usr/bin/redis-server): its JSON report
# must add up exactly, --verify must pass on an honest server and fail on a
# corrupted value, failures must be counted and change the exit status, and
# the open-loop rate must hold. The last test runs bench/compare --quick.

proc bench_binary {} {
    if {[info exists ::env(SHOAL_BENCH)]} { return $::env(SHOAL_BENCH) }
    set cands [list [file join [file dirname [file dirname $::server_binary]] bench shoal-bench] \
        [file join $::srcdir bench shoal-bench]]
    foreach b [lsort -decreasing [glob -nocomplain [file join $::srcdir build-* bench shoal-bench]]] {
        lappend cands $b
    }
    foreach b $cands {
        if {[file executable $b]} { return $b }
    }
    error "shoal-bench not built (looked at: $cands); set SHOAL_BENCH"
}

# Runs shoal-bench; returns {exit-status output}.
proc run_bench {args} {
    set rc [catch {exec [bench_binary] {*}$args 2>@1} out opts]
    if {$rc == 0} { return [list 0 $out] }
    set ec [dict get $opts -errorcode]
    if {[lindex $ec 0] eq "CHILDSTATUS"} { return [list [lindex $ec 2] $out] }
    error "shoal-bench did not run: $out"
}

# The tests of a JSON report as a list of dicts with flat keys
# (name completed issued ops_per_sec errors verify connection set_ops
# get_ops hits misses p50 p99 max), read with python3's json module.
proc bench_report {file} {
    set py {
import json, sys
d = json.load(open(sys.argv[1]))
for t in d["tests"]:
    c = t["commands"]
    f = dict(name=t["name"], completed=t["completed"], issued=t["issued"],
             ops_per_sec=t["ops_per_sec"], errors=t["errors"]["total"],
             verify=t["errors"]["verify"], connection=t["errors"]["connection"],
             set_ops=c["set"]["ops"], get_ops=c["get"]["ops"],
             set_keys=c["set"]["keys"], get_keys=c["get"]["keys"],
             hits=c["get"]["hits"], misses=c["get"]["misses"],
             p50=t["latency_us"]["p50"], p99=t["latency_us"]["p99"],
             max=t["latency_us"]["max"], count=t["latency_us"]["count"])
    print(" ".join("%s %s" % kv for kv in f.items()))
}
    set tests {}
    foreach line [split [string trim [exec /usr/bin/python3 -c $py $file]] "\n"] {
        lappend tests $line
    }
    return $tests
}

start_server {tags {bench}} {
    set port [srv 0 port]
    set json [file join $::file_tmpdir bench.json]

    test {shoal-bench set, get, mixed with --verify: counts add up, no errors} {
        lassign [run_bench -p $port -n 5000 -c 4 -P 4 -r 1000 -t set,get,mixed \
            --key-pattern sequential -d 28-200 --verify -q --json $json] rc out
        assert_equal $rc 0 $out
        set t [bench_report $json]
        assert_equal [llength $t] 3
        lassign $t set get mixed
        assert_equal [dict get $set name] set
        assert_equal [dict get $set completed] 5000
        assert_equal [dict get $set issued] 5000
        assert_equal [dict get $set set_ops] 5000
        assert_equal [dict get $set get_ops] 0
        assert_equal [dict get $set count] 5000
        # the set test wrote all 1000 keys, so every get hits
        assert_equal [dict get $get get_ops] 5000
        assert_equal [dict get $get hits] 5000
        assert_equal [dict get $get misses] 0
        # mixed 1:10 over 5000 requests: request i is a set when i % 11 == 0
        assert_equal [dict get $mixed set_ops] 455
        assert_equal [dict get $mixed get_ops] 4545
        assert_equal [dict get $mixed hits] 4545
        foreach x $t {
            assert_equal [dict get $x errors] 0
            assert_equal [dict get $x verify] 0
            assert {[dict get $x ops_per_sec] > 0}
            assert {[dict get $x p50] <= [dict get $x p99] && [dict get $x p99] <= [dict get $x max]}
        }
        # the server agrees about what was written
        assert_equal [r dbsize] 1000
    }

    test {shoal-bench one connection, MSET/MGET, exact versions read back} {
        r flushall
        lassign [run_bench -p $port -n 3000 -c 1 -P 8 -r 300 --multiget 10 --multiset 3 \
            --ratio 1:1 --verify -q --json $json] rc out
        assert_equal $rc 0 $out
        set m [lindex [bench_report $json] 0]
        assert_equal [dict get $m completed] 3000
        assert_equal [dict get $m set_ops] 1500
        assert_equal [dict get $m set_keys] 4500
        assert_equal [dict get $m get_keys] 15000
        assert_equal [expr {[dict get $m hits] + [dict get $m misses]}] 15000
        assert {[dict get $m hits] > 0}
        assert_equal [dict get $m errors] 0
    }

    test {shoal-bench --verify catches a value that is not what was written} {
        r set key:000000000001 garbage-garbage-garbage-garbage
        r set key:000000000002 0000000003:00000001:000001c:
        lassign [run_bench -p $port -n 200 -c 1 -r 3 -t get --verify -q --json $json] rc out
        assert_equal $rc 1
        assert_match {*verify: key:000000000001: corrupted value*} $out
        assert_match {*verify: key:000000000002: value of another key*} $out
        set g [lindex [bench_report $json] 0]
        assert {[dict get $g verify] > 0}
        assert_equal [dict get $g errors] [dict get $g verify]
    }

    test {shoal-bench counts and prints connection failures, exits 1} {
        set dead [find_available_port]
        lassign [run_bench -p $dead -n 100 -c 3 -q --json $json] rc out
        assert_equal $rc 1
        assert_match "*connect 127.0.0.1:$dead: Connection refused*" $out
        set t [lindex [bench_report $json] 0]
        assert_equal [dict get $t connection] 3
        assert_equal [dict get $t completed] 0
    }

    test {shoal-bench open loop holds the requested rate} {
        lassign [run_bench -p $port -n 3000 -c 4 --rate 6000 -r 1000 -q --json $json] rc out
        assert_equal $rc 0 $out
        set t [lindex [bench_report $json] 0]
        assert_equal [dict get $t completed] 3000
        assert_range [dict get $t ops_per_sec] 5400 6600
    }
}

tags {bench} {
    test {bench/compare --quick: redis and the server under test, table, ratios, charts} {
        set out [file join $::file_tmpdir compare]
        set rc [catch {exec /usr/bin/python3 [file join $::srcdir bench compare] --quick \
            --systems redis,shoal-server --bench [bench_binary] \
            --shoal-server $::server_binary --redis-server $::oracle_redis --out $out 2>@1} text]
        assert_equal $rc 0 $text
        set md [read_file_bytes [file join $out results.md]]
        # three workload tables and the memory table, each with both rows
        assert_equal [llength [regexp -all -inline {\n\| redis-server \|} $md]] 4
        assert_equal [llength [regexp -all -inline {\n\| shoal-server \(RESP\) \|} $md]] 4
        # ratio cells ("1.02× redis"; the file is read as bytes, hence [^ ]+)
        assert_equal [llength [regexp -all -inline {\| [0-9]+\.[0-9]+[^ ]+ redis \|} $md]] 4
        assert {![string match {*errors!*} $md]}
        foreach w {getset-p1 getset-p16 mget100 memory} {
            set svg [read_file_bytes [file join $out $w.svg]]
            assert_match {<svg xmlns=*</svg>*} $svg
        }
        # every number made it into results.json, none of them zero
        set check {
import json, sys
r = json.load(open(sys.argv[1]))["results"]
for w in ("getset-p1", "getset-p16", "mget100"):
    for s in ("redis", "shoal-server"):
        x = r[w][s]
        assert x["ops"] > 0 and 0 < x["p50"] <= x["p99"] and x["errors"] == 0, (w, s, x)
for s in ("redis", "shoal-server"):
    assert r["memory"][s]["bytes_per_key"] > 32, r["memory"][s]
print("ok")
}
        exec /usr/bin/python3 -c $check [file join $out results.json]
    } {ok}
}
