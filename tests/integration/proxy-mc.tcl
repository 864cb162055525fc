# tests/integration/proxy-mc.tcl: shoal-proxy in front of Memcached nodes,
# real memcached (Debian) and shoal-server's --mc-port: every classic and
# meta command forwarded, multi-get split and merged in key order, noreply
# and quiet mode, pipelining, a failing node degrading only its own keys.

source [file join [file dirname $::test_file_path] proxy-common.inc]

# The node a key lives on, by asking the proxy.
proc mc_route {key} {
    set line [mc cmd "route $key"]
    if {![regexp {^ROUTE (\S+) (\S+) (\S+)$} $line -> k addr name]} {
        fail "bad route reply: $line"
    }
    return $addr
}

proc node_by_addr {nodes addr} {
    foreach n $nodes { if {[dict get $n addr] eq $addr} { return $n } }
    fail "no node $addr"
}

proc mc_get_raw {c line} {
    $c sendline $line
    return [$c read_until END]
}

proc mc_suite {kind} {
    set nodes [proxy_nodes $kind 3]
    try {
        start_proxy [proxy_yaml alpha memcache $nodes hash md5 timeout 2000] {
            mc_suite_body $kind $nodes
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

proc mc_suite_body {kind nodes} {
    test "$kind: storage commands and their replies pass through" {
        assert_equal [mc cmd "set k1 5 0 3\r\nabc"] STORED
        assert_equal [mc cmd "add k1 0 0 1\r\nx"] NOT_STORED
        assert_equal [mc cmd "replace k1 7 0 2\r\nxy"] STORED
        assert_equal [mc cmd "append k1 0 0 1\r\nz"] STORED
        assert_equal [mc cmd "prepend k1 0 0 1\r\na"] STORED
        assert_equal [mc_get_raw [srv mc] "get k1"] "VALUE k1 7 4\r\naxyz\r\nEND\r\n"
        set g [mc_get_raw [srv mc] "gets k1"]
        assert [regexp {^VALUE k1 7 4 (\d+)\r\naxyz\r\nEND\r\n$} $g -> cas]
        assert_equal [mc cmd "cas k1 0 0 1 [expr {$cas + 1000}]\r\nq"] EXISTS
        assert_equal [mc cmd "cas k1 0 0 1 $cas\r\nq"] STORED
        assert_equal [mc cmd "touch k1 100"] TOUCHED
        assert_equal [mc cmd "set n 0 0 2\r\n10"] STORED
        assert_equal [mc cmd "incr n 5"] 15
        assert_equal [mc cmd "decr n 20"] 0
        assert_equal [mc cmd "delete n"] DELETED
        assert_equal [mc cmd "delete n"] NOT_FOUND
        assert_equal [mc cmd "incr nope 1"] NOT_FOUND
    }

    test "$kind: each key is stored on the node route names" {
        set c 0
        foreach n $nodes { set direct([dict get $n addr]) [node_client $n] }
        for {set i 0} {$i < 60} {incr i} {
            assert_equal [mc cmd "set place:$i 0 0 [string length v$i]\r\nv$i"] STORED
            set addr [mc_route place:$i]
            incr used($addr)
            foreach a [array names direct] {
                set got [mc_get_raw $direct($a) "get place:$i"]
                if {$a eq $addr} {
                    assert_equal $got "VALUE place:$i 0 [string length v$i]\r\nv$i\r\nEND\r\n"
                } else {
                    assert_equal $got "END\r\n"
                }
            }
        }
        foreach a [array names direct] { $direct($a) close }
        # 60 keys over 3 nodes: every node got some.
        assert_equal [llength [array names used]] 3
    }

    test "$kind: multi-get is split per node and merged in key order, one END" {
        set keys {}
        set expect {}
        for {set i 59} {$i >= 0} {incr i -3} {
            lappend keys place:$i miss:$i
            append expect "VALUE place:$i 0 [string length v$i]\r\nv$i\r\n"
        }
        lappend keys place:59
        append expect "VALUE place:59 0 3\r\nv59\r\n"
        set before [proxy_stat alpha fragments]
        assert_equal [mc_get_raw [srv mc] "get [join $keys]"] "${expect}END\r\n"
        # gets carries a CAS per value
        set g [mc_get_raw [srv mc] "gets place:1 place:2 place:3"]
        assert [regexp {^VALUE place:1 0 2 \d+\r\nv1\r\nVALUE place:2 0 2 \d+\r\nv2\r\nVALUE place:3 0 2 \d+\r\nv3\r\nEND\r\n$} $g]
        wait_for_condition 100 20 {[proxy_stat alpha fragments] >= $before + 3} else {
            fail "fragments did not grow: [proxy_stat alpha fragments] vs $before"
        }
    }

    test "$kind: a 300-key multi-get is merged in key order" {
        set keys {}
        set expect {}
        for {set i 0} {$i < 150} {incr i} {
            assert_equal [mc cmd "set big:$i 0 0 [string length x$i]\r\nx$i"] STORED
        }
        for {set i 149} {$i >= 0} {incr i -1} {
            lappend keys big:$i nobig:$i
            append expect "VALUE big:$i 0 [string length x$i]\r\nx$i\r\n"
        }
        assert_equal [mc_get_raw [srv mc] "get [join $keys]"] "${expect}END\r\n"
    }

    test "$kind: gat/gats split with their exptime" {
        set g [mc_get_raw [srv mc] "gat 100 place:4 place:5 nokey place:6"]
        assert_equal $g "VALUE place:4 0 2\r\nv4\r\nVALUE place:5 0 2\r\nv5\r\nVALUE place:6 0 2\r\nv6\r\nEND\r\n"
        set g [mc_get_raw [srv mc] "gats 100 place:7 place:8"]
        assert [regexp {^VALUE place:7 0 2 \d+\r\nv7\r\nVALUE place:8 0 2 \d+\r\nv8\r\nEND\r\n$} $g]
    }

    test "$kind: noreply and meta quiet mode leave nothing behind" {
        mc send "set q1 0 0 1 noreply\r\na\r\ndelete nokey noreply\r\nincr nokey 1 noreply\r\n"
        mc send "mg q1 v q\r\nmg nokey v q\r\nms q2 1 q\r\nb\r\nmd nokey q\r\nmn\r\n"
        assert_equal [mc read_line] "VA 1"
        assert_equal [mc read_line] "a"
        assert_equal [mc read_line] "NF"
        assert_equal [mc read_line] "MN"
        assert_equal [mc_get_raw [srv mc] "get q1 q2"] "VALUE q1 0 1\r\na\r\nVALUE q2 0 1\r\nb\r\nEND\r\n"
    }

    test "$kind: meta commands forwarded with their flags" {
        assert_equal [mc cmd "ms meta1 2 T0 F5\r\nhi"] HD
        mc sendline "mg meta1 v f s k"
        assert_equal [mc read_line] "VA 2 f5 s2 kmeta1"
        assert_equal [mc read_line] hi
        assert_equal [mc cmd "ma nokey:meta"] NF
        assert_equal [mc cmd "md meta1"] HD
        assert_equal [mc cmd "mg meta1 v"] EN
        assert_equal [mc cmd "mn"] MN
    }

    test "$kind: 300 pipelined requests answered in order" {
        set out {}
        set expect {}
        for {set i 0} {$i < 100} {incr i} {
            append out "set pipe:$i 0 0 [string length $i]\r\n$i\r\nget pipe:$i place:[expr {$i % 60}]\r\nincr nopipe 1\r\n"
            set pv v[expr {$i % 60}]
            append expect "STORED\r\nVALUE pipe:$i 0 [string length $i]\r\n$i\r\n" \
                "VALUE place:[expr {$i % 60}] 0 [string length $pv]\r\n$pv\r\nEND\r\nNOT_FOUND\r\n"
        }
        mc send $out
        assert_equal [mc read_bytes [string length $expect]] $expect
    }

    test "$kind: a large value crosses buffers both ways" {
        set v [string repeat "0123456789abcdef" 32768]
        assert_equal [mc cmd "set big 3 0 [string length $v]\r\n$v"] STORED
        assert_equal [mc_get_raw [srv mc] "get place:1 big place:2"] \
            "VALUE place:1 0 2\r\nv1\r\nVALUE big 3 [string length $v]\r\n$v\r\nVALUE place:2 0 2\r\nv2\r\nEND\r\n"
    }

    test "$kind: errors of the protocol are answered as memcached does" {
        assert_equal [mc cmd "bogus"] ERROR
        assert_equal [mc cmd "set k 0 0 notanumber"] "CLIENT_ERROR bad command line format"
        assert_match "VERSION ?*" [mc cmd "version"]
        assert_equal [mc cmd "verbosity 1"] OK
    }

    test "$kind: proxy stats answered locally" {
        mc sendline stats
        set s [mc read_until END]
        assert_match "*STAT curr_connections *" $s
        assert_match "*STAT alpha:requests *" $s
        assert_match "*STAT alpha:[dict get [lindex $nodes 0] addr]:requests *" $s
    }

    test "$kind: flush_all reaches every node" {
        assert_equal [mc cmd "flush_all"] OK
        assert_equal [mc_get_raw [srv mc] "get place:1 place:2 place:3 big"] "END\r\n"
        mc send "flush_all noreply\r\nmn\r\n"
        assert_equal [mc read_line] MN
    }

    test "$kind: a dead node degrades only its own keys" {
        for {set i 0} {$i < 30} {incr i} {
            assert_equal [mc cmd "set dead:$i 0 0 1\r\nx"] STORED
        }
        set victim [dict get [lindex $nodes 1] addr]
        set alive_keys {}
        set dead_keys {}
        set keys {}
        for {set i 0} {$i < 30} {incr i} {
            lappend keys dead:$i
            if {[mc_route dead:$i] eq $victim} { lappend dead_keys dead:$i } else { lappend alive_keys dead:$i }
        }
        assert {[llength $dead_keys] > 0 && [llength $alive_keys] > 0}
        ::harness::finish [lindex $nodes 1]
        set before [proxy_stat alpha fragment_errors]
        set expect {}
        foreach k $alive_keys { append expect "VALUE $k 0 1\r\nx\r\n" }
        assert_equal [mc_get_raw [srv mc] "get [join $keys]"] "${expect}END\r\n"
        proxy_wait_stat alpha fragment_errors [expr {$before + 1}]
        # a request for the dead node alone is an error with a reason
        assert_match "SERVER_ERROR *" [mc cmd "get [lindex $dead_keys 0]"]
        assert_match "SERVER_ERROR *" [mc cmd "set [lindex $dead_keys 0] 0 0 1\r\ny"]
        # the other nodes still serve
        assert_equal [mc cmd "set [lindex $alive_keys 0] 0 0 1\r\nz"] STORED
    }
}

mc_suite memcached
mc_suite shoal-mc
