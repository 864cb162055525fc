# tests/integration/proxy-placement.tcl: the placement differential test.
# The same twemproxy config is run by Debian's nutcracker and by shoal-proxy
# in front of the same three memcached nodes; keys are set through
# nutcracker, then each node is read directly, and every key must be found
# on exactly the node shoal-proxy's `route` names, for every hash function
# with ketama and modula (weighted servers, one of them named). random
# places keys at random by design: there each key set through shoal-proxy
# must be on exactly one node, and all nodes must get some.

source [file join [file dirname $::test_file_path] proxy-common.inc]

set ::nutcracker /usr/sbin/nutcracker
set ::place_hashes {one_at_a_time md5 crc16 crc32 crc32a fnv1_64 fnv1a_64 fnv1_32 fnv1a_32 hsieh murmur jenkins}
set ::place_keys 300

proc ::harness::nutcracker_argv {yaml stats port dir} {
    set f [open [file join $dir nutcracker.yml] w]
    puts -nonewline $f [string map [list @LISTEN@ 127.0.0.1:$port] $yaml]
    close $f
    return [list $::nutcracker -c [file join $dir nutcracker.yml] -s $stats -a 127.0.0.1 \
        -o [file join $dir stdout.log]]
}

proc start_nutcracker {yaml body} {
    set stats [find_available_port]
    set spec [dict create binary $::nutcracker name nutcracker ready {} \
        argv_fn [list ::harness::nutcracker_argv $yaml $stats]]
    set srv [::harness::launch $spec]
    set ::nc_stats_port $stats
    dict set srv mc [mc_client 127.0.0.1 [dict get $srv port]]
    try {
        uplevel 1 [list set ::nc [dict get $srv mc]]
        uplevel 1 $body
    } finally {
        ::harness::finish $srv
    }
}

proc place_yaml {hash dist nodes} {
    set y "place:\n  listen: @LISTEN@\n  hash: $hash\n  distribution: $dist\n  timeout: 3000\n  servers:\n"
    set w 1
    foreach n $nodes {
        set line "   - [dict get $n addr]:$w"
        if {$w == 3} { append line " nodec" }
        append y "$line\n"
        incr w
    }
    return $y
}

# Keys present on each node: addr -> dict key -> 1, by one multi-get each.
proc node_contents {nodes keys} {
    set out [dict create]
    foreach n $nodes {
        set c [node_client $n]
        $c sendline "get [join $keys]"
        set raw [$c read_until END]
        $c close
        set have [dict create]
        foreach {- k} [regexp -all -inline -line {^VALUE (\S+) } $raw] { dict set have $k 1 }
        dict set out [dict get $n addr] $have
    }
    return $out
}

proc flush_nodes {nodes} {
    foreach n $nodes {
        set c [node_client $n]
        assert_equal [$c cmd flush_all] OK
        $c close
    }
}

proc routes {keys} {
    set out {}
    foreach k $keys { mc send "route $k\r\n" }
    foreach k $keys {
        set f [split [mc read_line] " "]
        if {[lindex $f 0] ne "ROUTE" || [lindex $f 1] ne $k} {
            fail "bad route reply for $k: [join $f]"
        }
        lappend out [lindex $f 2]
    }
    return $out
}

set nodes [proxy_nodes memcached 3]
try {
    foreach dist {ketama modula} {
        foreach hash $::place_hashes {
            test "placement: $hash $dist matches nutcracker" {
                flush_nodes $nodes
                set keys {}
                for {set i 0} {$i < $::place_keys} {incr i} {
                    lappend keys "k$i:[randstring 4 12 alpha]"
                }
                set yaml [place_yaml $hash $dist $nodes]
                start_nutcracker $yaml {
                    set out {}
                    foreach k $keys { append out "set $k 0 0 1\r\nx\r\n" }
                    $::nc send $out
                    foreach k $keys { assert_equal [$::nc read_line] STORED }
                }
                set have [node_contents $nodes $keys]
                start_proxy $yaml {
                    set addrs [routes $keys]
                }
                set used {}
                foreach k $keys addr $addrs {
                    foreach n $nodes {
                        set a [dict get $n addr]
                        set present [dict exists [dict get $have $a] $k]
                        if {$present != ($a eq $addr)} {
                            fail "$hash/$dist: key $k is [expr {$present ? {} : {not }}]on $a, shoal-proxy routes it to $addr"
                        }
                    }
                    dict incr used $addr
                }
                # crc32 returns 15 bits, so with ketama most keys land on one
                # node in both programs; elsewhere every node gets keys
                if {$hash ni {crc32 crc16}} { assert_equal [dict size $used] 3 }
            }
        }
    }

    test "stats JSON: every field nutcracker reports, under the same names" {
        set yaml [place_yaml md5 ketama $nodes]
        start_nutcracker $yaml {
            set s [socket 127.0.0.1 $::nc_stats_port]
            set text [read $s]
            close $s
            set i 0
            set theirs [::harness::json_value $text i]
        }
        start_proxy $yaml {
            assert_equal [mc cmd "set statkey 0 0 1\r\nx"] STORED
            set addr [lindex [mc cmd "route statkey"] 2]
            set name [lindex [mc cmd "route statkey"] 3]
            proxy_wait_stat place $name requests 1
            set mine [proxy_stats]
        }
        foreach k [dict keys $theirs] {
            assert [dict exists $mine $k]
        }
        foreach k [dict keys [dict get $theirs place]] {
            assert [dict exists $mine place $k]
            if {[llength [dict get $theirs place $k]] > 1} {
                foreach f [dict keys [dict get $theirs place $k]] {
                    assert [dict exists $mine place $k $f]
                }
            }
        }
        assert_equal [dict get $mine place $name responses] 1
        assert [dict exists $mine place $name latency_us p99]
    }

    test "placement: random distribution puts each key on exactly one node" {
        flush_nodes $nodes
        set keys {}
        for {set i 0} {$i < $::place_keys} {incr i} { lappend keys "r$i:[randstring 4 12 alpha]" }
        start_proxy [place_yaml md5 random $nodes] {
            set out {}
            foreach k $keys { append out "set $k 0 0 1\r\nx\r\n" }
            mc send $out
            foreach k $keys { assert_equal [mc read_line] STORED }
        }
        set have [node_contents $nodes $keys]
        set used {}
        foreach k $keys {
            set where {}
            foreach n $nodes {
                if {[dict exists [dict get $have [dict get $n addr]] $k]} { lappend where [dict get $n addr] }
            }
            assert_equal [llength $where] 1
            dict incr used [lindex $where 0]
        }
        assert_equal [dict size $used] 3
    }
} finally {
    proxy_stop_nodes $nodes
}
