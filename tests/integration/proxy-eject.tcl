# tests/integration/proxy-eject.tcl: shoal-proxy when nodes misbehave.
# Mock nodes in Tcl record the exact bytes they receive and answer slowly,
# byte by byte, or never; real nodes die and come back. Covers pipelined
# ordering with nodes answering out of order, split requests as the nodes
# see them, timeout, auto_eject_hosts with server_failure_limit and
# server_retry_timeout, failures without ejection, preconnect and
# server_connections.

source [file join [file dirname $::test_file_path] proxy-common.inc]

test {pipelined replies leave in request order when nodes answer out of order} {
    set slow [mock_node hold]
    set fast [mock_node echo]
    set sa 127.0.0.1:[lindex $slow 1]
    set fa 127.0.0.1:[lindex $fast 1]
    try {
        start_proxy "alpha:\n  listen: @LISTEN@\n  hash: md5\n  servers:\n   - $sa:1\n   - $fa:1\n" {
            set by [keys_by_node k 40]
            set ks [lrange [dict get $by $sa] 0 1]
            set kf [lrange [dict get $by $fa] 0 1]
            # slow key first, then fast ones; the fast node answers at once
            set k0 [lindex $ks 0]; set k1 [lindex $ks 1]; set f0 [lindex $kf 0]; set f1 [lindex $kf 1]
            set req "get [lindex $ks 0]\r\nget [lindex $kf 0]\r\nget [lindex $kf 1] [lindex $ks 1] [lindex $kf 0]\r\n"
            mc send $req
            for {set i 0} {$i < 200 && [string length $::mock_in([lindex $fast 1])] < [string length "get $f0 $f1 $f0\r\n"]} {incr i} {
                mock_sleep 10
            }
            # let the fast node's trickled replies reach the proxy
            mock_sleep 200
            # nothing may reach the client before the slow node answers
            assert_equal [chan pending input [mc fd]] 0
            set ::mock_release([lindex $slow 1]) 1
            # the mocks answer from this interpreter's event loop: never block in read
            fconfigure [mc fd] -blocking 0
            set expect "VALUE $k0 0 [string length v-$k0]\r\nv-$k0\r\nEND\r\n"
            append expect "VALUE $f0 0 [string length v-$f0]\r\nv-$f0\r\nEND\r\n"
            append expect "VALUE $f1 0 [string length v-$f1]\r\nv-$f1\r\n" \
                "VALUE $k1 0 [string length v-$k1]\r\nv-$k1\r\n" \
                "VALUE $f0 0 [string length v-$f0]\r\nv-$f0\r\nEND\r\n"
            assert_equal [mc read_bytes [string length $expect]] $expect
            # what each node saw, exactly: the split keeps key order per node
            # the gets read in one turn share one line per node (proxy/coalesce)
            assert_equal $::mock_in([lindex $slow 1]) "get $k0 $k1\r\n"
            assert_equal $::mock_in([lindex $fast 1]) "get $f0 $f1 $f0\r\n"
        }
    } finally {
        mock_stop [list $slow $fast]
    }
}

test {timeout: a node that never answers gives SERVER_ERROR Connection timed out} {
    set mute [mock_node mute]
    set ma 127.0.0.1:[lindex $mute 1]
    try {
        start_proxy "alpha:\n  listen: @LISTEN@\n  timeout: 200\n  servers:\n   - $ma:1\n" {
            set t0 [clock milliseconds]
            assert_equal [mc cmd "get x"] "SERVER_ERROR Connection timed out"
            assert_range [expr {[clock milliseconds] - $t0}] 150 3000
            proxy_wait_stat alpha $ma server_timedout 1
            # pipelined requests behind it time out too, in order
            mc send "get a\r\nget b\r\n"
            assert_equal [mc read_line] "SERVER_ERROR Connection timed out"
            assert_equal [mc read_line] "SERVER_ERROR Connection timed out"
        }
        start_proxy "beta:\n  listen: @LISTEN@\n  redis: true\n  timeout: 200\n  servers:\n   - $ma:1\n" {
            assert_error {ERR Connection timed out} {r get x}
        }
    } finally {
        mock_stop [list $mute]
    }
}

test {auto_eject_hosts: ejected after server_failure_limit, keys move, back after retry} {
    set nodes [proxy_nodes memcached 2]
    set a [dict get [lindex $nodes 0] addr]
    set b [dict get [lindex $nodes 1] addr]
    set reborn {}
    try {
        set y "alpha:\n  listen: @LISTEN@\n  hash: md5\n  auto_eject_hosts: true\n  server_failure_limit: 2\n  server_retry_timeout: 1500\n  workers: 1\n  servers:\n   - $a:1\n   - $b:1\n"
        start_proxy $y {
            set kb [lindex [dict get [keys_by_node e 40] $b] 0]
            ::harness::finish [lindex $nodes 1]
            # two failures, then the node is ejected and its keys go to a
            assert_match "SERVER_ERROR *" [mc cmd "get $kb"]
            assert_match "SERVER_ERROR *" [mc cmd "get $kb"]
            assert_equal [mc_route_addr $kb] $a
            assert_equal [mc cmd "set $kb 0 0 1\r\nx"] STORED
            proxy_wait_stat alpha server_ejects 1
            assert [expr {[proxy_stat alpha $b server_ejected_at] > 0}]
            # the node comes back on its port; after the retry timeout it is used again
            set port [lindex [split $b :] 1]
            set reborn [memcached_on $port [::harness::new_dir reborn]]
            wait_for_condition 200 20 {[mc_route_addr $kb] eq $b} else {
                fail "$b never came back"
            }
            assert_equal [mc cmd "set $kb 0 0 1\r\ny"] STORED
            set direct [mc_client 127.0.0.1 $port]
            $direct sendline "get $kb"
            assert_equal [$direct read_until END] "VALUE $kb 0 1\r\ny\r\nEND\r\n"
            $direct close
        }
    } finally {
        if {$reborn ne {}} { ::harness::finish $reborn }
        proxy_stop_nodes $nodes
    }
}

test {without auto_eject_hosts a dead node keeps its keys and they fail with a reason} {
    set nodes [proxy_nodes memcached 2]
    set a [dict get [lindex $nodes 0] addr]
    set b [dict get [lindex $nodes 1] addr]
    try {
        start_proxy "alpha:\n  listen: @LISTEN@\n  hash: md5\n  server_failure_limit: 1\n  servers:\n   - $a:1\n   - $b:1\n" {
            set kb [lindex [dict get [keys_by_node e 40] $b] 0]
            ::harness::finish [lindex $nodes 1]
            for {set i 0} {$i < 4} {incr i} {
                assert_match "SERVER_ERROR Connection *" [mc cmd "get $kb"]
            }
            assert_equal [mc cmd "get $kb"] "SERVER_ERROR Connection refused"
            assert_equal [mc_route_addr $kb] $b
            assert_equal [proxy_stat alpha server_ejects] 0
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {preconnect and server_connections open every connection at start} {
    set nodes [proxy_nodes memcached 2]
    try {
        start_proxy "[proxy_yaml alpha memcache $nodes preconnect true server_connections 3]  workers: 2\n" {
            foreach n $nodes {
                proxy_wait_stat alpha [dict get $n addr] server_connections 6
            }
            # requests spread over the connections still see their own writes
            for {set i 0} {$i < 50} {incr i} {
                assert_equal [mc cmd "set sc:$i 0 0 [string length $i]\r\n$i"] STORED
                mc sendline "get sc:$i"
                assert_equal [mc read_until END] "VALUE sc:$i 0 [string length $i]\r\n$i\r\nEND\r\n"
            }
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {a slow client is paused: requests in flight stay bounded} {
    set nodes [proxy_nodes memcached 1]
    set addr [dict get [lindex $nodes 0] addr]
    try {
        start_proxy [proxy_yaml alpha memcache $nodes] {
            set v [string repeat x 20000]
            assert_equal [mc cmd "set big 0 0 [string length $v]\r\n$v"] STORED
            proxy_wait_stat alpha $addr requests 1
            set base 1
            # 3000 gets of 20 KB (60 MB of replies), not read for a while: the
            # proxy stops reading the client once 256 requests are in flight or
            # 4 MB of replies wait (kernel buffers hold a few MB more)
            set c [mc_client 127.0.0.1 [srv port]]
            $c send [string repeat "get big\r\n" 3000]
            after 300
            set forwarded [expr {[proxy_stat alpha $addr requests] - $base}]
            assert_range $forwarded 1 1500
            set expect "VALUE big 0 [string length $v]\r\n$v\r\nEND\r\n"
            for {set i 0} {$i < 3000} {incr i} {
                assert_equal [$c read_bytes [string length $expect]] $expect
            }
            $c close
            proxy_wait_stat alpha $addr requests [expr {$base + 3000}]
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# A mock Memcached node that reads nothing until ::mock_release($port) is
# set, then answers STORED to each "set k f e n\r\n<n bytes>\r\n" it reads.
proc deaf_node {} {
    set port [find_available_port]
    set s [socket -server [list deaf_accept $port] -myaddr 127.0.0.1 $port]
    set ::deaf_stored($port) 0
    return [list $s $port]
}

proc deaf_accept {port fd host rport} {
    fconfigure $fd -translation binary -blocking 0 -buffering none
    lappend ::mock_conns $fd
    set ::deaf_buf($fd) {}
    deaf_wait $port $fd
}

proc deaf_wait {port fd} {
    if {[info exists ::mock_release($port)]} {
        fileevent $fd readable [list deaf_read $port $fd]
    } else {
        after 20 [list deaf_wait $port $fd]
    }
}

proc deaf_read {port fd} {
    append ::deaf_buf($fd) [read $fd]
    if {[eof $fd]} { catch {close $fd}; return }
    set out {}
    while {[set i [string first "\r\n" $::deaf_buf($fd)]] >= 0} {
        set n [lindex [split [string range $::deaf_buf($fd) 0 [expr {$i - 1}]]] 4]
        set end [expr {$i + 2 + $n + 2}]
        if {[string length $::deaf_buf($fd)] < $end} { break }
        set ::deaf_buf($fd) [string range $::deaf_buf($fd) $end end]
        append out "STORED\r\n"
        incr ::deaf_stored($port)
    }
    if {$out ne {}} { puts -nonewline $fd $out }
}


test {a node that stops reading pauses the clients feeding it: memory stays bounded, others are served} {
    set deaf [deaf_node]
    set dport [lindex $deaf 1]
    set da 127.0.0.1:$dport
    set nodes [proxy_nodes memcached 1]
    set la [dict get [lindex $nodes 0] addr]
    set socks {}
    try {
        start_proxy "alpha:\n  listen: @LISTEN@\n  hash: md5\n  hash_tag: \"{}\"\n  servers:\n   - $da:1\n   - $la:1\n" {
            # a hash tag on the deaf node and a key on the live one
            for {set t 0} {[mc_route_addr "{$t}"] ne $da} {incr t} {}
            for {set l 0} {[mc_route_addr "live$l"] ne $la} {incr l} {}
            set rss0 [proc_rss_kb [srv pid]]
            # 6 clients pipeline 64 sets of 256 KB each (96 MB in all) into it
            set v [string repeat x 262144]
            for {set c 0} {$c < 6} {incr c} {
                set s [socket 127.0.0.1 [srv port]]
                fconfigure $s -translation binary -blocking 0 -buffering full -buffersize 65536
                for {set i 0} {$i < 64} {incr i} {
                    puts -nonewline $s "set {$t}:$c:$i 0 0 262144\r\n$v\r\n"
                }
                flush $s
                lappend socks $s
            }
            set peak 0
            for {set i 0} {$i < 15} {incr i} {
                mock_sleep 100
                set rss [proc_rss_kb [srv pid]]
                if {$rss > $peak} { set peak $rss }
            }
            # about NCONN_OUT_HIGH plus a request per client and what the
            # kernel holds, not 96 MB (sanitizer builds keep freed memory
            # in quarantine for a while: the bound leaves room for that)
            assert_range [expr {$peak - $rss0}] 0 48000
            assert_range [proxy_stat alpha $da requests] 1 300
            # the other node's clients are not held up
            assert_equal [mc cmd "set live$l 0 0 2\r\nok"] STORED
            mc sendline "get live$l"
            assert_equal [mc read_until END] "VALUE live$l 0 2\r\nok\r\nEND\r\n"
            # the node reads again: every request is answered, in order
            set ::mock_release($dport) 1
            foreach s $socks {
                set got {}
                for {set i 0} {$i < 600 && [string length $got] < 64 * 8} {incr i} {
                    append got [read $s]
                    if {[string length $got] < 64 * 8} { mock_sleep 50 }
                }
                assert_equal $got [string repeat "STORED\r\n" 64]
            }
            assert_equal $::deaf_stored($dport) 384
        }
    } finally {
        foreach s $socks { catch {close $s} }
        mock_stop [list $deaf]
        proxy_stop_nodes $nodes
    }
}
