# tests/integration/proxy-blocking.tcl: blocking commands through
# shoal-proxy (BLPOP BRPOP BLMOVE BRPOPLPUSH BZPOPMIN BZPOPMAX BLMPOP
# BZMPOP) over real shoal-server nodes.  Each client's blocking command
# goes over a connection to the node dedicated to that client: other
# clients of the node are not delayed, the pool timeout does not cut it
# short (its own timeout does), its later requests wait for it, and its
# connection closes with the client (the node sees it go).

source [file join [file dirname $::test_file_path] proxy-common.inc]

proc r_route {key} { return [lindex [r proxy route $key] 0] }

# A key of prefix on the node at addr.
proc key_on {prefix addr} {
    for {set i 0} {$i < 500} {incr i} {
        if {[r_route $prefix$i] eq $addr} { return $prefix$i }
    }
    fail "no $prefix key on $addr"
}

proc node_info_field {node field} {
    set c [node_client $node]
    set v [get_info_field [$c info clients] $field]
    $c close
    return $v
}

proc blocking_yaml {nodes {timeout 200}} {
    return [proxy_yaml beta redis $nodes hash murmur hash_tag "\"{}\"" timeout $timeout]
}

proc ms_since {t0} { return [expr {[clock milliseconds] - $t0}] }

test {a client blocked in BLPOP delays no other client of its node; LPUSH wakes it} {
    set nodes [proxy_nodes shoal-resp 2]
    set a [dict get [lindex $nodes 0] addr]
    try {
        start_proxy [blocking_yaml $nodes] {
            set k [key_on bl $a]
            set b [resp_client 127.0.0.1 [srv port] -deferred 1]
            $b blpop $k 5
            wait_for_condition 100 20 {[node_info_field [lindex $nodes 0] blocked_clients] == 1} else {
                fail "the BLPOP never reached the node"
            }
            proxy_wait_stat beta blocking_connections 1
            # other clients keep working on node A (and the pool timeout of
            # 200 ms never fires: they are not queued behind the BLPOP)
            set others [list [resp_client 127.0.0.1 [srv port]] [resp_client 127.0.0.1 [srv port]]]
            set worst 0
            for {set i 0} {$i < 100} {incr i} {
                set o [lindex $others [expr {$i % 2}]]
                set key [key_on "x$i-" $a]
                set t0 [clock milliseconds]
                assert_equal [$o set $key v$i] OK
                assert_equal [$o get $key] v$i
                set worst [expr {max($worst, [ms_since $t0])}]
            }
            assert_range $worst 0 100
            assert_equal [proxy_stat beta $a server_timedout] 0
            assert_equal [node_info_field [lindex $nodes 0] blocked_clients] 1
            # a push from another client wakes it
            assert_equal [r lpush $k hello] 1
            assert_equal [$b read] [list $k hello]
            assert_equal [r llen $k] 0
            # its connection stays for its next blocking command
            assert_equal [proxy_stat beta blocking_connections] 1
            $b deferred 0
            assert_equal [$b blpop $k 0.1] {}
            assert_equal [$b get nothing] {}
            foreach o $others { $o close }
            $b close
            proxy_wait_stat beta blocking_connections 0
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {pool timeout 200 ms: BLPOP 1 s times out at its own timeout, not the pool's} {
    set nodes [proxy_nodes shoal-resp 1]
    set a [dict get [lindex $nodes 0] addr]
    try {
        start_proxy [blocking_yaml $nodes] {
            set t0 [clock milliseconds]
            assert_equal [r blpop empty1 empty1 1] {}
            assert_range [ms_since $t0] 900 1800
            set t0 [clock milliseconds]
            assert_equal [r bzpopmin zempty 0.5] {}
            assert_range [ms_since $t0] 400 1300
            assert_equal [proxy_stat beta $a server_timedout] 0
            assert_equal [r ping] PONG
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {BLPOP 0: the client disconnects, its dedicated connection closes and the node unblocks} {
    set nodes [proxy_nodes shoal-resp 1]
    set node [lindex $nodes 0]
    try {
        start_proxy [blocking_yaml $nodes] {
            r set warm 1
            set base [node_info_field $node connected_clients]
            set b [resp_client 127.0.0.1 [srv port] -deferred 1]
            $b blpop forever 0
            wait_for_condition 100 20 {[node_info_field $node blocked_clients] == 1} else {
                fail "the BLPOP never reached the node"
            }
            assert_equal [node_info_field $node connected_clients] [expr {$base + 1}]
            proxy_wait_stat beta blocking_connections 1
            $b close
            wait_for_condition 100 20 {[node_info_field $node blocked_clients] == 0} else {
                fail "the node still has a blocked client"
            }
            assert_equal [node_info_field $node connected_clients] $base
            proxy_wait_stat beta blocking_connections 0
            proxy_wait_stat beta client_connections 1
            # nobody is left to pop what is pushed now
            r lpush forever v
            after 100
            assert_equal [r llen forever] 1
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {a blocked client's later requests wait for it; earlier ones are not overtaken} {
    set nodes [proxy_nodes shoal-resp 2]
    try {
        start_proxy [blocking_yaml $nodes] {
            set b [resp_client 127.0.0.1 [srv port]]
            # pipelined after the BLPOP: the SET runs only once it is answered
            $b raw "[resp_encode [list blpop "{q}1" 0]][resp_encode [list set "{q}after" 1]][resp_encode [list get "{q}after"]]"
            wait_for_condition 100 20 {[proxy_stat beta blocking_connections] == 1} else {
                fail "no dedicated connection"
            }
            after 200
            assert_equal [r get "{q}after"] {}
            assert_equal [r rpush "{q}1" a] 1
            assert_equal [$b read] [list "{q}1" a]
            assert_equal [$b read] OK
            assert_equal [$b read] 1
            # pipelined before it: DEL reaches the node first, so BLPOP finds
            # the list gone and times out
            r rpush "{q}2" x
            $b raw "[resp_encode [list del "{q}2"]][resp_encode [list blpop "{q}2" 0.3]][resp_encode [list rpush "{q}2" y]][resp_encode [list lrange "{q}2" 0 -1]]"
            assert_equal [$b read] 1
            assert_equal [$b read] {}
            assert_equal [$b read] 1
            assert_equal [$b read] y
            # a long pipeline around blocking commands keeps its order
            set bytes {}
            set want {}
            for {set i 0} {$i < 50} {incr i} {
                append bytes [resp_encode [list rpush "{p}l" $i]]
                append bytes [resp_encode [list blpop "{p}l" 1]]
                append bytes [resp_encode [list incr "{p}n"]]
                lappend want 1 [list "{p}l" $i] [expr {$i + 1}]
            }
            $b raw $bytes
            set got {}
            foreach w $want { lappend got [$b read] }
            assert_equal $got $want
            $b close
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {blocking commands: CROSSSLOT across nodes, every form works under a hash tag} {
    set nodes [proxy_nodes shoal-resp 3]
    try {
        start_proxy [blocking_yaml $nodes 500] {
            set x0 x0
            for {set i 1} {$i < 200} {incr i} {
                if {[r_route x$i] ne [r_route $x0]} { set x1 x$i; break }
            }
            foreach cmd [list [list blpop $x0 $x1 1] [list brpop $x0 $x1 1] \
                    [list blmove $x0 $x1 left right 1] [list brpoplpush $x0 $x1 1] \
                    [list bzpopmin $x0 $x1 1] [list bzpopmax $x0 $x1 1] \
                    [list blmpop 1 2 $x0 $x1 left] [list bzmpop 1 2 $x0 $x1 min]] {
                assert_error "CROSSSLOT Keys in request don't hash to the same server*" {r {*}$cmd}
            }
            r rpush "{t}a" 1 2 3
            r zadd "{t}z" 1 one 2 two 3 three
            assert_equal [r blpop "{t}none" "{t}a" 1] [list "{t}a" 1]
            assert_equal [r brpop "{t}a" 1] [list "{t}a" 3]
            assert_equal [r blmove "{t}a" "{t}b" left right 1] 2
            assert_equal [r brpoplpush "{t}b" "{t}a" 1] 2
            assert_equal [r blmpop 1 2 "{t}none" "{t}a" left] [list "{t}a" 2]
            assert_equal [r bzpopmin "{t}z" 1] [list "{t}z" one 1]
            assert_equal [r bzpopmax "{t}z" 1] [list "{t}z" three 3]
            assert_equal [r bzmpop 1 1 "{t}z" min] [list "{t}z" {{two 2}}]
            # a bad numkeys is the node's to answer
            assert_error "*numkeys*" {r blmpop 1 0 "{t}a" left}
            proxy_wait_stat beta blocking_connections [llength [lsort -unique [list \
                [r_route "{t}a"] [r_route ""]]]]
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {many clients blocked on one node at once, each on its own connection} {
    set nodes [proxy_nodes shoal-resp 1]
    set node [lindex $nodes 0]
    try {
        start_proxy [blocking_yaml $nodes] {
            r set warm 1
            set clients {}
            for {set i 0} {$i < 20} {incr i} {
                set b [resp_client 127.0.0.1 [srv port] -deferred 1]
                $b brpop jobs 10
                lappend clients $b
            }
            wait_for_condition 100 20 {[node_info_field $node blocked_clients] == 20} else {
                fail "[node_info_field $node blocked_clients] blocked at the node"
            }
            proxy_wait_stat beta blocking_connections 20
            proxy_wait_stat beta [dict get $node addr] server_connections 21
            for {set i 0} {$i < 20} {incr i} { r lpush jobs j$i }
            set got {}
            set want {}
            foreach b $clients { lappend got [lindex [$b read] 1] }
            for {set i 0} {$i < 20} {incr i} { lappend want j$i }
            assert_equal [lsort $got] [lsort $want]
            foreach b $clients { $b close }
            proxy_wait_stat beta blocking_connections 0
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {RESP3 client: its blocking command gets RESP3 replies on its own connection} {
    set nodes [proxy_nodes shoal-resp 1]
    try {
        start_proxy [blocking_yaml $nodes] {
            set c [resp_client 127.0.0.1 [srv port]]
            $c hello 3
            assert_equal [::harness::exchange $c [resp_encode {blpop r3 0.2}] 1] "_\r\n"
            $c hello 2
            assert_equal [::harness::exchange $c [resp_encode {blpop r3 0.2}] 1] "*-1\r\n"
            r rpush r3 v
            assert_equal [::harness::exchange $c [resp_encode {blpop r3 0.2}] 1] "*2\r\n\$2\r\nr3\r\n\$1\r\nv\r\n"
            proxy_wait_stat beta blocking_connections 1
            $c close
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {a node that dies under a blocked client fails its command, not the proxy} {
    set nodes [proxy_nodes shoal-resp 1]
    try {
        start_proxy [blocking_yaml $nodes] {
            set b [resp_client 127.0.0.1 [srv port] -deferred 1]
            $b blpop gone 0
            wait_for_condition 100 20 {[proxy_stat beta blocking_connections] == 1} else {
                fail "no dedicated connection"
            }
            after 100
            proxy_stop_nodes $nodes
            assert_error "*Connection closed by server*" {$b read}
            proxy_wait_stat beta blocking_connections 0
            $b close
            assert_equal [r ping] PONG
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {a reload releases the old pool: an idle dedicated connection does not keep it alive} {
    set nodes [proxy_nodes shoal-resp 1]
    set node [lindex $nodes 0]
    try {
        start_proxy [blocking_yaml $nodes] {
            # a dedicated connection, idle again, and the shared one
            assert_equal [r blpop rl:list 0.1] {}
            assert_equal [r set rl:x 1] OK
            # the old pool's shared and dedicated connections, and this query's own
            set before [node_info_field $node connected_clients]
            assert_equal $before 3
            write_file [srv conf] [string map [list @LISTEN@ 127.0.0.1:[srv port]] [blocking_yaml $nodes 300]]
            set from [log_line_count]
            exec kill -HUP [srv pid]
            wait_for_log_line "*configuration reloaded*" -from $from
            # the client moved to the new pool, which opens its own connection
            assert_equal [r get rl:x] 1
            # the old pool went with both of its connections
            wait_for_condition 100 20 {[node_info_field $node connected_clients] == 2} else {
                fail "the node still has [node_info_field $node connected_clients] clients"
            }
            assert_equal [r blpop rl:list 0.1] {}
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}
