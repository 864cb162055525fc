# tests/integration/clients.tcl: real Redis clients against shoal-server.
#
# redis-cli (one-shot commands and --pipe mass insertion), redis-benchmark
# (its handshake and pipelined load) and python3-redis (commands, pipeline,
# MGET) exercise the parts of the protocol a hand-written client might not:
# whatever they send, they must get what they expect and exit 0.

set ::cli [auto_execok redis-cli]
set ::bench [auto_execok redis-benchmark]

proc cli {args} {
    return [exec {*}$::cli -h [srv host] -p [srv port] {*}$args]
}

# Runs a python3 script with the port as argv[1]; returns its stdout.
proc py {script} {
    return [exec /usr/bin/python3 -c $script [srv port] 2>@1]
}

start_server {tags {clients}} {

    test {redis-cli: ping, set, get, binary-safe values, errors} {
        assert_equal [cli ping] PONG
        assert_equal [cli set cli:k "hello world"] OK
        assert_equal [cli get cli:k] "hello world"
        assert_equal [cli --no-raw get cli:nokey] "(nil)"
        assert_equal [cli incr cli:n] 1
        assert_equal [cli incrby cli:n 41] 42
        assert_match "*ERR*not an integer*" [cli incr cli:k]
        assert_equal [cli del cli:k cli:n] 2
        assert_equal [cli exists cli:k] 0
    }

    test {redis-cli --pipe: 10k commands from a file} {
        set path [file join [srv dir] mass.txt]
        set f [open $path w]
        fconfigure $f -translation binary
        for {set i 0} {$i < 10000} {incr i} {
            puts -nonewline $f [resp_encode [list set pipe:$i val:$i]]
        }
        close $f
        set out [exec {*}$::cli -h [srv host] -p [srv port] --pipe < $path 2>@1]
        assert_match "*errors: 0, replies: 10000*" $out
        assert_equal [r get pipe:0] val:0
        assert_equal [r get pipe:9999] val:9999
        assert_equal [llength [r keys pipe:*]] 10000
    }

    test {redis-benchmark -t set,get exits 0 and reports rates} {
        set out [exec {*}$::bench -h [srv host] -p [srv port] -t set,get -n 20000 -q 2>@1]
        assert_match "*SET: *requests per second*" $out
        assert_match "*GET: *requests per second*" $out
        foreach line [split $out "\n"] {
            if {[regexp {^(SET|GET): ([0-9.]+) requests per second} [string trim $line] -> cmd rate]} {
                assert {$rate > 0}
            }
        }
        # benchmark's key space: key:__rand_int__ became key:000000000000
        assert_equal [string length [r get key:__rand_int__]] 3
        assert_equal [r ping] PONG
    }

    test {redis-benchmark pipelined (-P 16) with 20 clients} {
        set out [exec {*}$::bench -h [srv host] -p [srv port] -t set,get,incr -n 20000 -P 16 -c 20 -q 2>@1]
        assert_match "*INCR: *requests per second*" $out
        assert_equal [r get counter:__rand_int__] 20000
    }

    test {python3-redis: set/get, pipeline, mget, binary values} {
        set out [py {
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))
assert r.ping() is True
assert r.set("py:k", b"v\x00\xff\r\n") is True
assert r.get("py:k") == b"v\x00\xff\r\n"
assert r.get("py:none") is None
p = r.pipeline(transaction=False)
for i in range(1000):
    p.set("py:%d" % i, i)
for i in range(1000):
    p.incr("py:%d" % i)
res = p.execute()
assert res[:1000] == [True] * 1000, res[:3]
assert res[1000:] == list(range(1, 1001)), res[1000:1003]
vals = r.mget(["py:%d" % i for i in range(1000)] + ["py:none"])
assert vals[:1000] == [str(i + 1).encode() for i in range(1000)]
assert vals[1000] is None
try:
    r.incr("py:k")
    raise SystemExit("no error")
except redis.ResponseError as e:
    assert "not an integer" in str(e), str(e)
assert r.delete("py:k", "py:0") == 2
assert r.exists("py:k") == 0
print("python ok")
}]
        assert_match "*python ok*" $out
        assert_equal [r get py:999] 1000
    }

    test {python3-redis: expiry and info through the client library} {
        set out [py {
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
assert r.set("py:t", "x", ex=100) is True
assert 0 < r.ttl("py:t") <= 100
info = r.info()
assert info["redis_version"], info
assert int(info["connected_clients"]) >= 1
print("python ok", info["redis_version"])
}]
        assert_match "*python ok*" $out
    }
}
