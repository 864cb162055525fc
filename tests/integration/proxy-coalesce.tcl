# tests/integration/proxy-coalesce.tcl: Memcached gets that reach one server
# in the same event-loop turn leave as one command line (proxy/coalesce),
# and every client still gets exactly its own VALUE blocks: misses (no
# block), the same key asked twice, a key asked by two requests, gets next
# to get, a split multi-get joined with single gets, an error line. Mock
# nodes (proxy-common.inc) record the exact bytes they receive; a pipeline
# sent in one write is read by the proxy in one turn, so what is joined is
# deterministic. Then real memcached nodes under concurrent verified load.

source [file join [file dirname $::test_file_path] proxy-common.inc]

proc value {k} { return "VALUE $k 0 [string length v-$k]\r\nv-$k\r\n" }

# Send req in one write, let the mocks answer, read n bytes back.
proc mock_exchange {req n} {
    mc send $req
    fconfigure [mc fd] -blocking 0
    set got [mc read_bytes $n]
    fconfigure [mc fd] -blocking 1
    return $got
}

proc with_mock_proxy {modes extra body} {
    set mocks {}
    foreach m $modes { lappend mocks [mock_node $m] }
    set servers {}
    foreach m $mocks { append servers "   - 127.0.0.1:[lindex $m 1]:1\n" }
    try {
        start_proxy "alpha:\n  listen: @LISTEN@\n  hash: md5\n  servers:\n$servers" {
            uplevel 1 [list set mocks $mocks]
            uplevel 1 $body
        } $extra
    } finally {
        mock_stop $mocks
    }
}

test {coalesce: pipelined gets share one line; each client request gets its own blocks} {
    with_mock_proxy {echo} {} {
        set port [lindex [lindex $mocks 0] 1]
        set req "get a\r\nget miss1 b\r\nget b a\r\ngets c\r\nget d\r\nget x\r\nget x\r\nget miss2\r\nget y\r\n"
        set expect "[value a]END\r\n[value b]END\r\n[value b][value a]END\r\n[value c]END\r\n"
        append expect "[value d]END\r\n[value x]END\r\n[value x]END\r\nEND\r\n[value y]END\r\n"
        assert_equal [mock_exchange $req [string length $expect]] $expect
        # get lines joined; gets on its own line; a new get line after it
        assert_equal $::mock_in($port) "get a miss1 b b a\r\ngets c\r\nget d x x miss2 y\r\n"
        # the connection is still in step: a lone get afterwards
        assert_equal [mock_exchange "get z\r\n" [string length "[value z]END\r\n"]] "[value z]END\r\n"
    }
}

test {coalesce: an error line answers every request of the joined line} {
    with_mock_proxy {echo} {} {
        set expect [string repeat "SERVER_ERROR boom\r\n" 3]
        assert_equal [mock_exchange "get a\r\nget errq\r\nget b\r\n" [string length $expect]] $expect
        set port [lindex [lindex $mocks 0] 1]
        assert_equal $::mock_in($port) "get a errq b\r\n"
        assert_equal [mock_exchange "get c\r\n" [string length "[value c]END\r\n"]] "[value c]END\r\n"
    }
}

test {coalesce: a split multi-get joins the single gets on each node; gat and set are not joined} {
    with_mock_proxy {echo echo} {} {
        set by [keys_by_node k 40]
        set pa [lindex [lindex $mocks 0] 1]
        set pb [lindex [lindex $mocks 1] 1]
        lassign [dict get $by 127.0.0.1:$pa] a1 a2 a3
        lassign [dict get $by 127.0.0.1:$pb] b1 b2
        set req "get $a1\r\nget $a2 $b1\r\nget $b2\r\ngat 10 $a3\r\nget $a1\r\n"
        set expect "[value $a1]END\r\n[value $a2][value $b1]END\r\n[value $b2]END\r\n"
        # the mock reads "gat 10 k" as keys 10 and k: the reply passes through as it came
        append expect "[value 10][value $a3]END\r\n[value $a1]END\r\n"
        assert_equal [mock_exchange $req [string length $expect]] $expect
        assert_equal $::mock_in($pa) "get $a1 $a2\r\ngat 10 $a3\r\nget $a1\r\n"
        assert_equal $::mock_in($pb) "get $b1 $b2\r\n"
    }
}

test {coalesce: --no-coalesce sends each get on its own line} {
    with_mock_proxy {echo} {--no-coalesce} {
        set port [lindex [lindex $mocks 0] 1]
        set expect "[value a]END\r\n[value b][value a]END\r\n"
        assert_equal [mock_exchange "get a\r\nget b a\r\n" [string length $expect]] $expect
        assert_equal $::mock_in($port) "get a\r\nget b a\r\n"
    }
}

test {coalesce: a node that dies with a joined line in flight fails each of its requests} {
    with_mock_proxy {mute} {} {
        set port [lindex [lindex $mocks 0] 1]
        mc send "get a\r\nget b\r\n"
        fconfigure [mc fd] -blocking 0
        for {set i 0} {$i < 200 && $::mock_in($port) ne "get a b\r\n"} {incr i} { mock_sleep 10 }
        assert_equal $::mock_in($port) "get a b\r\n"
        foreach fd $::mock_conns { catch {close $fd} }
        set ::mock_conns {}
        set line "SERVER_ERROR Connection closed by server\r\n"
        assert_equal [mc read_bytes [expr {2 * [string length $line]}]] "$line$line"
        fconfigure [mc fd] -blocking 1
    }
}

foreach kind {memcached shoal-mc} {
test "coalesce: concurrent verified load over $kind nodes (get, multi-get)" {
    set nodes [proxy_nodes $kind 2]
    try {
        start_proxy [proxy_yaml alpha memcache $nodes hash fnv1a_64] {
            set bench [file join [file dirname [file dirname $::server_binary]] bench shoal-bench]
            foreach mg {1 7} {
                set out [exec $bench -p [srv port] --protocol memcache -t set,get,mixed --verify \
                    -c 20 -P 8 -n 20000 -r 500 --multiget $mg -q 2>@1]
                assert_match "*errors 0*" $out
                assert {![string match "*mismatch*" $out]}
            }
            # the nodes saw fewer get lines than the clients sent: joined
            set gets 0
            foreach n $nodes {
                set c [node_client $n]
                $c sendline stats
                set st [$c read_until END]
                $c close
                assert [regexp {STAT cmd_get (\d+)} $st -> g]
                incr gets $g
            }
            # cmd_get counts keys: every key the clients asked reached a node
            assert {$gets >= 20000}
            assert {[proxy_stat alpha gets_joined] > 0}
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}
}
