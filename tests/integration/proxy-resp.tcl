# tests/integration/proxy-resp.tcl: shoal-proxy in front of RESP nodes
# (Debian redis-server and shoal-server): single-key commands forwarded,
# MGET/MSET/DEL/UNLINK/EXISTS/TOUCH split and merged, cross-node commands
# refused unless a hash tag keeps their keys together, commands answered by
# the proxy, fan-outs, a dead node's keys as per-key errors, redis_auth and
# redis_db, and a real client (python3-redis).

source [file join [file dirname $::test_file_path] proxy-common.inc]

proc r_route {key} {
    return [lindex [r proxy route $key] 0]
}

proc resp_suite {kind} {
    set nodes [proxy_nodes $kind 3]
    try {
        start_proxy [proxy_yaml beta redis $nodes hash murmur hash_tag "\"{}\"" timeout 2000] {
            resp_suite_body $kind $nodes
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

proc resp_suite_body {kind nodes} {
    test "$kind: single-key commands forwarded" {
        assert_equal [r set foo bar] OK
        assert_equal [r get foo] bar
        assert_equal [r incr counter] 1
        assert_equal [r incrby counter 41] 42
        assert_equal [r expire foo 100] 1
        assert_range [r ttl foo] 90 100
        assert_equal [r type foo] string
        assert_equal [r append foo baz] 6
        assert_equal [r getrange foo 0 2] bar
        assert_equal [r sadd aset x y] 2
        assert_error {WRONGTYPE*} {r get aset}
        assert_error {ERR value is not an integer*} {r incr foo}
    }

    test "$kind: each key is stored on the node PROXY ROUTE names" {
        foreach n $nodes { set direct([dict get $n addr]) [node_client $n] }
        for {set i 0} {$i < 60} {incr i} {
            r set place:$i v$i
            set addr [r_route place:$i]
            incr used($addr)
            foreach a [array names direct] {
                set got [$direct($a) get place:$i]
                if {$a eq $addr} { assert_equal $got v$i } else { assert_equal $got {} }
            }
        }
        foreach a [array names direct] { $direct($a) close }
        assert_equal [llength [array names used]] 3
    }

    test "$kind: MGET split and merged in key order" {
        set keys {}
        set expect {}
        for {set i 0} {$i < 60} {incr i 2} {
            lappend keys place:$i missing:$i
            lappend expect v$i {}
        }
        assert_equal [r mget {*}$keys] $expect
        assert_equal [r mget place:5 place:5 place:7] {v5 v5 v7}
        # past the split's stack arrays: 240 keys, MSET of 120 pairs
        set kv {}
        set keys {}
        set expect {}
        for {set i 0} {$i < 120} {incr i} {
            lappend kv wide:$i w$i
            lappend keys nowide:$i wide:$i
            lappend expect {} w$i
        }
        assert_equal [r mset {*}$kv] OK
        assert_equal [r mget {*}$keys] $expect
    }

    test "$kind: MSET, EXISTS, TOUCH, DEL, UNLINK across nodes" {
        set args {}
        for {set i 0} {$i < 20} {incr i} { lappend args ms:$i m$i }
        assert_equal [r mset {*}$args] OK
        for {set i 0} {$i < 20} {incr i} { assert_equal [r get ms:$i] m$i }
        assert_equal [r exists ms:1 ms:2 nope ms:3 ms:1] 4
        assert_equal [r touch ms:4 ms:5 nope] 2
        assert_equal [r del ms:0 ms:1 ms:2 ms:3 nope] 4
        assert_equal [r unlink ms:4 ms:5 ms:6 nope ms:4] 3
        assert_equal [r exists ms:0 ms:4 ms:7] 1
        assert_error {ERR wrong number of arguments*} {r mset a 1 b}
    }

    test "$kind: multi-key commands on different nodes are refused, hash tags allowed" {
        # find two keys on different nodes
        set a place:0
        set b {}
        for {set i 1} {$i < 60} {incr i} {
            if {[r_route place:$i] ne [r_route $a]} { set b place:$i; break }
        }
        assert_error {CROSSSLOT*} {r rename $a $b}
        r set "{user1}:name" alice
        assert_equal [r_route "{user1}:name"] [r_route "{user1}:other"]
        assert_equal [r rename "{user1}:name" "{user1}:other"] OK
        assert_equal [r get "{user1}:other"] alice
    }

    test "$kind: commands answered by the proxy" {
        assert_equal [r ping] PONG
        assert_equal [r ping hello] hello
        assert_equal [r echo "a b"] "a b"
        assert_equal [r select 0] OK
        assert_error {ERR DB index is out of range} {r select 1}
        assert_error {NOPROTO*} {r hello 4}
        assert_equal [lrange [r hello 2] 0 1] {server shoal-proxy}
        assert [string is integer -strict [r command count]]
        assert_equal [llength [r time]] 2
        assert_match "*connected_clients:*" [r info]
        assert_error {ERR unknown command 'nosuchcmd', with args beginning with: 'x' } {r nosuchcmd x}
        assert_error {ERR wrong number of arguments for 'get' command} {r get}
        assert_error {ERR 'debug' is not supported through the proxy} {r debug sleep 0}
    }

    test "$kind: DBSIZE, KEYS and FLUSHALL fan out to every node" {
        r flushall
        for {set i 0} {$i < 30} {incr i} { r set fan:$i $i }
        assert_equal [r dbsize] 30
        assert_equal [lsort [r keys fan:1*]] [lsort {fan:1 fan:10 fan:11 fan:12 fan:13 fan:14 fan:15 fan:16 fan:17 fan:18 fan:19}]
        assert_equal [r flushall] OK
        assert_equal [r dbsize] 0
    }

    test "$kind: pipelined requests, inline commands, replies in order" {
        set c [new_client]
        set out {}
        for {set i 0} {$i < 200} {incr i} {
            append out [resp_encode [list set pipe:$i $i]] [resp_encode [list mget pipe:$i nope place:1]]
        }
        $c raw $out
        for {set i 0} {$i < 200} {incr i} {
            assert_equal [$c read_raw] "+OK\r\n"
            assert_equal [$c read_raw] "*3\r\n\$[string length $i]\r\n$i\r\n\$-1\r\n\$-1\r\n"
        }
        $c raw "PING\r\nset inl \"a b\"\r\nget inl\r\n"
        assert_equal [$c read_raw] "+PONG\r\n"
        assert_equal [$c read_raw] "+OK\r\n"
        assert_equal [$c read_raw] "\$3\r\na b\r\n"
        $c close
    }

    test "$kind: a protocol error is answered and the connection closed" {
        assert_match "-ERR Protocol error*" [proxy_raw [srv port] "*1\r\n\$x\r\n" eof]
    }

    test "$kind: QUIT answers OK then closes" {
        assert_equal [proxy_raw [srv port] "PING\r\nQUIT\r\nPING\r\n" eof] "+PONG\r\n+OK\r\n"
    }

    test "$kind: python3-redis through the proxy" {
        set py {
import redis, sys
r = redis.Redis(host='127.0.0.1', port=int(sys.argv[1]))
r.set('py:a', '1'); r.mset({'py:b': '2', 'py:c': '3'})
print(r.mget(['py:a', 'py:b', 'py:c', 'py:none']))
p = r.pipeline(transaction=False)
for i in range(50): p.incr('py:n')
print(p.execute()[-1], r.delete('py:a', 'py:b', 'py:c'))
}
        set out [exec /usr/bin/python3 -c $py [srv port]]
        assert_equal $out "\[b'1', b'2', b'3', None\]\n50 3"
    }

    test "$kind: a dead node gives errors at its keys only" {
        set victim [dict get [lindex $nodes 2] addr]
        set keys {}
        set expect_alive {}
        for {set i 0} {$i < 30} {incr i} {
            r set dead:$i $i
            lappend keys dead:$i
        }
        ::harness::finish [lindex $nodes 2]
        set before [proxy_stat beta fragment_errors]
        set got [r mget {*}$keys]
        assert_equal [llength $got] 30
        set nerr 0
        for {set i 0} {$i < 30} {incr i} {
            if {[r_route dead:$i] eq $victim} {
                assert_match "ERR *" [lindex $got $i]
                incr nerr
            } else {
                assert_equal [lindex $got $i] $i
            }
        }
        assert {$nerr > 0 && $nerr < 30}
        proxy_wait_stat beta fragment_errors [expr {$before + 1}]
        foreach k $keys {
            if {[r_route $k] eq $victim} {
                assert_error {ERR *} {r get $k}
                break
            }
        }
        assert_error {ERR *} {r del {*}$keys}
    }
}

resp_suite redis
resp_suite shoal-resp

test {redis_auth: clients AUTH to the proxy, the proxy AUTHs to the nodes; redis_db} {
    set nodes [proxy_nodes redis 2]
    try {
        foreach n $nodes {
            set c [node_client $n]
            $c config set requirepass s3cret
            $c close
        }
        start_proxy [proxy_yaml gamma redis $nodes redis_auth s3cret redis_db 3] {
            assert_error {NOAUTH*} {r get k}
            assert_error {WRONGPASS*} {r auth nope}
            assert_equal [r auth s3cret] OK
            for {set i 0} {$i < 20} {incr i} { r set db:$i $i }
            assert_equal [r get db:7] 7
            assert_equal [r mget db:1 db:2] {1 2}
            # the keys live in db 3 of the nodes
            set total 0
            foreach n $nodes {
                set c [node_client $n]
                $c auth s3cret
                $c select 3
                incr total [$c dbsize]
                $c select 0
                assert_equal [$c dbsize] 0
                $c close
            }
            assert_equal $total 20
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {an unknown command's error stays one line even with CR LF in its arguments} {
    set nodes [proxy_nodes redis 1]
    try {
        start_proxy [proxy_yaml beta redis $nodes] {
            set c [new_client]
            $c raw [resp_encode [list nosuch "a\r\nb"]]
            assert_equal [$c read_raw] "-ERR unknown command 'nosuch', with args beginning with: 'a  b' \r\n"
            assert_equal [$c ping] PONG
            $c close
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# A full SCAN through the proxy: every call asks one server; the cursor
# carries the server index (cursor = node cursor * nservers + index).
proc proxy_full_scan {args} {
    set cursor 0
    set keys {}
    set calls 0
    while {1} {
        lassign [r scan $cursor {*}$args] cursor batch
        lappend keys {*}$batch
        if {[incr calls] > 10000} { fail "SCAN did not finish" }
        if {$cursor == 0} { break }
    }
    return [list $keys $calls]
}

test {SCAN through the proxy returns every key of every node (3 shoal-server + 2 redis-server)} {
    set nodes [concat [proxy_nodes shoal-resp 3] [proxy_nodes redis 2]]
    try {
        start_proxy [proxy_yaml beta redis $nodes hash md5] {
            set want {}
            for {set i 0} {$i < 600} {incr i} {
                r set sk:$i $i
                lappend want sk:$i
            }
            for {set i 0} {$i < 40} {incr i} {
                r hset hk:$i f v
                lappend want hk:$i
            }
            # every node holds some of them
            set sum 0
            foreach n $nodes {
                set c [node_client $n]
                set size [$c dbsize]
                $c close
                assert_range $size 1 639
                incr sum $size
            }
            assert_equal $sum 640
            lassign [proxy_full_scan count 13] got calls
            assert_equal [lsort $got] [lsort $want]
            assert {$calls > 5}
            # MATCH and TYPE go to each node as given
            lassign [proxy_full_scan match sk:1* count 50] got
            assert_equal [lsort $got] [lsort [lsearch -all -inline $want sk:1*]]
            lassign [proxy_full_scan type hash] got
            assert_equal [lsort $got] [lsort [lsearch -all -inline $want hk:*]]
            # the cursor after server i's last batch is i + 1
            lassign [r scan 0 count 100000] cursor batch
            assert_equal $cursor 1
            lassign [r scan 4 count 100000] cursor batch
            assert_equal $cursor 0
            assert_error {ERR invalid cursor} {r scan nope}
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}
