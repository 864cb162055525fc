# tests/integration/proxy-audit-mc.tcl: the Memcached side of shoal-proxy,
# closing what proxy-mc and proxy-eject leave open: scripted mock nodes that
# assert the exact bytes each node receives (noreply and quiet requests
# followed by `mn`, gat split per node, flush_all to every node, meta
# requests verbatim) and answer one byte at a time, while the client sends
# its requests in small pieces, so every parse crosses buffer boundaries;
# every noreply form against a real memcached; `me`; pymemcache; latency
# percentiles that see a slow node; recovery of a dead node without
# auto_eject_hosts; a client that never reads costs bounded memory.

source [file join [file dirname $::test_file_path] proxy-common.inc]

# A scripted mock node: ::sm_script($port) is a list of {request reply}
# pairs, expected in that order on its one connection. Each complete
# expected request is answered with its reply, one byte per event-loop turn;
# anything else is recorded in ::sm_bad($port). ::sm_in($port) has every
# byte received.
proc script_node {} {
    set port [find_available_port]
    set s [socket -server [list sm_accept $port] -myaddr 127.0.0.1 $port]
    set ::sm_in($port) {}
    set ::sm_buf($port) {}
    set ::sm_bad($port) {}
    set ::sm_script($port) {}
    return [list $s $port]
}

proc sm_accept {port fd host rport} {
    fconfigure $fd -translation binary -blocking 0 -buffering none
    lappend ::sm_conns $fd
    set ::sm_out($fd) {}
    fileevent $fd readable [list sm_read $port $fd]
}

proc sm_read {port fd} {
    set data [read $fd]
    if {[eof $fd]} { catch {close $fd}; return }
    append ::sm_in($port) $data
    append ::sm_buf($port) $data
    while {[llength $::sm_script($port)] > 0} {
        lassign [lindex $::sm_script($port) 0] req reply
        set n [string length $req]
        if {[string length $::sm_buf($port)] < $n} {
            set have $::sm_buf($port)
            if {$have ne {} && [string first $have $req] != 0} { sm_mismatch $port $req }
            return
        }
        if {[string range $::sm_buf($port) 0 [expr {$n - 1}]] ne $req} {
            sm_mismatch $port $req
            return
        }
        set ::sm_buf($port) [string range $::sm_buf($port) $n end]
        set ::sm_script($port) [lrange $::sm_script($port) 1 end]
        sm_send $fd $reply
    }
    if {$::sm_buf($port) ne {}} { sm_mismatch $port {(nothing more)} }
}

proc sm_mismatch {port want} {
    append ::sm_bad($port) "expected [list $want], have [list $::sm_buf($port)]\n"
    set ::sm_buf($port) {}
    set ::sm_script($port) {}
}

proc sm_send {fd bytes} {
    set idle [expr {$::sm_out($fd) eq {}}]
    append ::sm_out($fd) $bytes
    if {$idle && $bytes ne {}} { after 1 [list sm_drip $fd] }
}

proc sm_drip {fd} {
    if {$::sm_out($fd) eq {}} { return }
    if {[catch {puts -nonewline $fd [string index $::sm_out($fd) 0]}]} { return }
    set ::sm_out($fd) [string range $::sm_out($fd) 1 end]
    after 1 [list sm_drip $fd]
}

proc sm_stop {mocks} {
    foreach m $mocks { close [lindex $m 0] }
    if {[info exists ::sm_conns]} { foreach fd $::sm_conns { catch {close $fd} } }
    set ::sm_conns {}
}

proc ev_sleep {ms} {
    after $ms {set ::ev_tick 1}
    vwait ::ev_tick
}

# Send bytes in pieces of `step` with a pause, so the proxy reads them in
# several parts (the event loop runs meanwhile: the mocks answer).
proc send_in_pieces {c bytes step} {
    for {set i 0} {$i < [string length $bytes]} {incr i $step} {
        $c send [string range $bytes $i [expr {$i + $step - 1}]]
        ev_sleep 2
    }
}

# A key of the given prefix that the proxy routes to addr.
proc key_on {prefix addr} {
    for {set i 0} {$i < 500} {incr i} {
        incr ::routes_asked
        if {[lindex [mc cmd "route $prefix$i"] 2] eq $addr} { return $prefix$i }
    }
    fail "no key of $prefix routes to $addr"
}

test {exact bytes at the nodes: noreply + mn, quiet meta + mn, gat split, flush_all to all, me, ma; parses cross buffers} {
    set ma [script_node]
    set mb [script_node]
    set pa [lindex $ma 1]
    set pb [lindex $mb 1]
    try {
        start_proxy "alpha:\n  listen: @LISTEN@\n  hash: fnv1a_64\n  timeout: 5000\n  workers: 1\n  servers:\n   - 127.0.0.1:$pa:1\n   - 127.0.0.1:$pb:1\n" {
            set a1 [key_on a 127.0.0.1:$pa]
            set a2 [key_on [string range $a1 0 0]x 127.0.0.1:$pa]
            set b1 [key_on b 127.0.0.1:$pb]
            set req {}
            set want {}
            set sa {}
            set sb {}
            # set noreply: the node sees it followed by mn; the client sees nothing
            append req "set $a1 0 0 1 noreply\r\nx\r\n"
            lappend sa [list "set $a1 0 0 1 noreply\r\nx\r\nmn\r\n" "STORED\r\nMN\r\n"]
            # gat over two nodes: each gets its keys, in order, with the exptime
            append req "gat 100 $a1 $b1 $a2\r\n"
            lappend sa [list "gat 100 $a1 $a2\r\n" "VALUE $a1 0 1\r\nx\r\nEND\r\n"]
            lappend sb [list "gat 100 $b1\r\n" "VALUE $b1 3 2\r\nyy\r\nEND\r\n"]
            append want "VALUE $a1 0 1\r\nx\r\nVALUE $b1 3 2\r\nyy\r\nEND\r\n"
            # quiet meta: a miss says nothing, a hit passes, MN is not passed on
            append req "mg $a2 v q\r\nmg $a1 v q k\r\n"
            lappend sa [list "mg $a2 v q\r\nmn\r\n" "MN\r\n"] \
                [list "mg $a1 v q k\r\nmn\r\n" "VA 1 k$a1\r\nx\r\nMN\r\n"]
            append want "VA 1 k$a1\r\nx\r\n"
            # me and ma are forwarded verbatim
            append req "me $b1\r\nma $b1 N0 J13 v\r\n"
            lappend sb [list "me $b1\r\n" "ME $b1 exp=-1 la=2 cas=7 fetch=no cls=1 size=64\r\n"] \
                [list "ma $b1 N0 J13 v\r\n" "VA 2\r\n18\r\n"]
            append want "ME $b1 exp=-1 la=2 cas=7 fetch=no cls=1 size=64\r\nVA 2\r\n18\r\n"
            # incr noreply, then flush_all to both nodes (one OK to the client)
            append req "incr $b1 5 noreply\r\nflush_all\r\n"
            lappend sb [list "incr $b1 5 noreply\r\nmn\r\n" "MN\r\n"] [list "flush_all\r\n" "OK\r\n"]
            lappend sa [list "flush_all\r\n" "OK\r\n"]
            append want "OK\r\n"
            # mn is the proxy's own; a node never sees it
            append req "mn\r\n"
            append want "MN\r\n"
            set ::sm_script($pa) [concat $sa $sa]
            set ::sm_script($pb) [concat $sb $sb]
            fconfigure [mc fd] -blocking 0
            # once in one write, once in 3-byte pieces
            mc send $req
            if {[catch {mc read_bytes [string length $want]} got]} {
                fail "$got; node a: $::sm_bad($pa) [list $::sm_in($pa)]; node b: $::sm_bad($pb) [list $::sm_in($pb)]"
            }
            assert_equal $got $want
            send_in_pieces [srv mc] $req 3
            if {[catch {mc read_bytes [string length $want]} got]} {
                fail "$got; node a: $::sm_bad($pa) [list $::sm_in($pa)]; node b: $::sm_bad($pb) [list $::sm_in($pb)]"
            }
            assert_equal $got $want
            ev_sleep 50
            assert_equal [chan pending input [mc fd]] 0
            assert_equal [read [mc fd]] {}
            assert_equal $::sm_bad($pa) {}
            assert_equal $::sm_bad($pb) {}
            set all_a {}
            foreach p [concat $sa $sa] { append all_a [lindex $p 0] }
            set all_b {}
            foreach p [concat $sb $sb] { append all_b [lindex $p 0] }
            assert_equal $::sm_in($pa) $all_a
            assert_equal $::sm_in($pb) $all_b
        }
    } finally {
        sm_stop [list $ma $mb]
    }
}

proc mc_get_raw {line} {
    mc sendline $line
    return [mc read_until END]
}

test {every noreply form against memcached: the effect happens, nothing is answered} {
    set nodes [proxy_nodes memcached 2]
    try {
        start_proxy [proxy_yaml alpha memcache $nodes hash md5] {
            assert_equal [mc cmd "set nr:n 0 0 1\r\n5"] STORED
            mc sendline "gets nr:n"
            regexp {VALUE nr:n 0 1 (\d+)} [mc read_until END] -> cas
            mc send "set nr:a 1 0 1 noreply\r\na\r\nadd nr:b 2 0 1 noreply\r\nb\r\n"
            mc send "add nr:a 9 0 1 noreply\r\nZ\r\nreplace nr:b 3 0 2 noreply\r\nbb\r\n"
            mc send "append nr:a 0 0 1 noreply\r\n+\r\nprepend nr:a 0 0 1 noreply\r\n-\r\n"
            mc send "cas nr:n 0 0 2 $cas noreply\r\n10\r\nincr nr:n 5 noreply\r\ndecr nr:n 2 noreply\r\n"
            mc send "touch nr:a 1000 noreply\r\ndelete nr:b noreply\r\ndelete nr:none noreply\r\n"
            mc send "incr nr:none 1 noreply\r\nverbosity 1 noreply\r\n"
            # the first reply on the connection is the get's
            assert_equal [mc_get_raw "get nr:a nr:b nr:n"] "VALUE nr:a 1 3\r\n-a+\r\nVALUE nr:n 0 2\r\n13\r\nEND\r\n"
            # touch took: the key has an expiry now (me shows exp)
            # (memcached 1.6.18 prints the remaining time negated)
            assert [regexp {^ME nr:a exp=(-?\d+) } [mc cmd "me nr:a"] -> exp]
            assert_range [expr {abs($exp)}] 990 1000
            assert_equal [mc cmd "me nr:none"] EN
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {pymemcache through the proxy: set_many/get_many over nodes, gets/cas, incr/decr, touch, delete_many} {
    set nodes [proxy_nodes memcached 3]
    try {
        start_proxy [proxy_yaml alpha memcache $nodes hash md5] {
            set py {
import sys
from pymemcache.client.base import Client
c = Client(('127.0.0.1', int(sys.argv[1])), default_noreply=True)
keys = ['pm:%d' % i for i in range(60)]
print(c.set_many({k: k.upper() for k in keys}))
got = c.get_many(keys + ['pm:none'])
print(len(got), all(got[k] == k.upper().encode() for k in keys))
v, cas = c.gets('pm:1')
print(v, c.cas('pm:1', b'new', cas, noreply=False), c.cas('pm:1', b'newer', cas, noreply=False), c.get('pm:1'))
c.set('n', '10', noreply=False)
print(c.incr('n', 5), c.decr('n', 20), c.incr('pm:none', 1))
print(c.touch('pm:2', 100, noreply=False), c.touch('pm:none', 100, noreply=False))
print(c.delete_many(keys[:30], noreply=False), len(c.get_many(keys)))
print(c.add('pm:40', 'x', noreply=False), c.replace('pm:none', 'x', noreply=False), c.append('pm:40', '!', noreply=False), c.get('pm:40'))
}
            set out [exec /usr/bin/python3 -c $py [srv port]]
            assert_equal $out [join {
                {[]}
                {60 True}
                {b'PM:1' True False b'new'}
                {15 0 None}
                {True False}
                {True 30}
                {False False True b'PM:40!'}
            } "\n"]
            # the keys really are spread: every node holds some
            set left {}
            for {set i 30} {$i < 60} {incr i} { lappend left pm:$i }
            foreach n $nodes {
                set c [node_client $n]
                $c sendline "get [join $left]"
                assert_match "*VALUE*" [$c read_until END]
                $c close
            }
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# A mock node answering every request line with END after ms milliseconds.
proc late_node {ms} {
    set port [find_available_port]
    set s [socket -server [list late_accept $ms] -myaddr 127.0.0.1 $port]
    return [list $s $port]
}

proc late_accept {ms fd host rport} {
    fconfigure $fd -translation binary -blocking 0 -buffering none
    lappend ::sm_conns $fd
    set ::late_buf($fd) {}
    fileevent $fd readable [list late_read $ms $fd]
}

proc late_read {ms fd} {
    append ::late_buf($fd) [read $fd]
    if {[eof $fd]} { catch {close $fd}; return }
    while {[set i [string first "\r\n" $::late_buf($fd)]] >= 0} {
        set ::late_buf($fd) [string range $::late_buf($fd) [expr {$i + 2}] end]
        after $ms [list catch [list puts -nonewline $fd "END\r\n"]]
    }
}

test {latency percentiles per pool and server: a slow node shows in its own p50 and the pool's p99} {
    set late [late_node 150]
    set lp [lindex $late 1]
    set nodes [proxy_nodes memcached 1]
    set fast [dict get [lindex $nodes 0] addr]
    try {
        start_proxy "alpha:\n  listen: @LISTEN@\n  hash: md5\n  timeout: 3000\n  servers:\n   - 127.0.0.1:$lp:1\n   - $fast:1\n" {
            fconfigure [mc fd] -blocking 0
            set ::routes_asked 0
            set ks [key_on s 127.0.0.1:$lp]
            set kf [key_on f $fast]
            for {set i 0} {$i < 3} {incr i} { assert_equal [mc_get_raw "get $ks"] "END\r\n" }
            for {set i 0} {$i < 60} {incr i} { assert_equal [mc_get_raw "get $kf"] "END\r\n" }
            # histograms are snapshotted once a second; the pool's counts
            # every request, `route` (answered by the proxy) included
            set total [expr {63 + $::routes_asked}]
            wait_for_condition 150 20 {[proxy_stat alpha latency_us count] == $total} else {
                fail "pool latency count [proxy_stat alpha latency_us count], expected $total"
            }
            set st [proxy_stats]
            set slow [dict get $st alpha 127.0.0.1:$lp latency_us]
            set quick [dict get $st alpha $fast latency_us]
            set pool [dict get $st alpha latency_us]
            assert_equal [dict get $slow count] 3
            assert_equal [dict get $quick count] 60
            assert_range [dict get $slow p50] 140000 3000000
            assert_range [dict get $slow max] 140000 3000000
            assert_range [dict get $quick p50] 1 100000
            # 3 of the requests are slow: the pool's median is fast, its p99 slow
            assert_range [dict get $pool p50] 1 100000
            assert_range [dict get $pool p99] 140000 3000000
            foreach h [list $slow $quick $pool] {
                assert {[dict get $h p50] <= [dict get $h p99]}
                assert {[dict get $h p99] <= [dict get $h p999]}
                assert {[dict get $h p999] <= [dict get $h max]}
            }
            # Memcached `stats` gives the pool's p99 too
            mc sendline stats
            set s [mc read_until END]
            assert [regexp {STAT alpha:latency_p99_us (\d+)\r\n} $s -> p99]
            assert_range $p99 140000 3000000
        }
    } finally {
        sm_stop [list $late]
        proxy_stop_nodes $nodes
    }
}

# A memcached on a given port (to bring a node back where it was).
proc memcached_at {port} {
    return [memcached_on $port [::harness::new_dir reborn]]
}

test {without auto_eject_hosts a node that comes back is used again, its keys where they were} {
    set nodes [proxy_nodes memcached 2]
    set b [dict get [lindex $nodes 1] addr]
    set reborn {}
    try {
        start_proxy "[proxy_yaml alpha memcache $nodes hash md5 server_failure_limit 1 server_retry_timeout 100]" {
            set kb [key_on rb $b]
            set ka [key_on ra [dict get [lindex $nodes 0] addr]]
            ::harness::finish [lindex $nodes 1]
            assert_equal [mc cmd "set $kb 0 0 1\r\nx"] "SERVER_ERROR Connection refused"
            assert_equal [mc_get_raw "get $ka $kb"] "END\r\n"
            set reborn [memcached_at [lindex [split $b :] 1]]
            # the next request reconnects: no retry timer to wait for
            assert_equal [mc cmd "set $kb 0 0 1\r\ny"] STORED
            assert_equal [mc_get_raw "get $kb"] "VALUE $kb 0 1\r\ny\r\nEND\r\n"
            assert_equal [lindex [mc cmd "route $kb"] 2] $b
            assert_equal [proxy_stat alpha server_ejects] 0
            set direct [mc_client 127.0.0.1 [lindex [split $b :] 1]]
            $direct sendline "get $kb"
            assert_equal [$direct read_until END] "VALUE $kb 0 1\r\ny\r\nEND\r\n"
            $direct close
        }
    } finally {
        if {$reborn ne {}} { ::harness::finish $reborn }
        proxy_stop_nodes $nodes
    }
}


test {a client that never reads: requests in flight bounded by reply bytes, memory bounded, others served} {
    set nodes [proxy_nodes memcached 1]
    set addr [dict get [lindex $nodes 0] addr]
    try {
        start_proxy [proxy_yaml alpha memcache $nodes] {
            # 64 KB values: 16000 gets ask for 1 GB of replies
            set v [string repeat v 65536]
            assert_equal [mc cmd "set huge 0 0 [string length $v]\r\n$v"] STORED
            set rss0 [proc_rss_kb [srv pid]]
            set s [socket 127.0.0.1 [srv port]]
            fconfigure $s -translation binary -blocking 0 -buffering full -buffersize 65536
            puts -nonewline $s [string repeat "get huge\r\n" 16000]
            flush $s
            lassign [watch_forwarding alpha $addr ev_sleep] fwd peak
            # forwarding stops once unsent replies plus requests in flight x
            # reply size reach 1 MB (proxy/client.h): 16 requests at a time
            # of 64 KB, a few rounds while the kernel's socket buffers fill
            # (64 in a release build; 256, 16 MB, when the bound was a
            # count); sanitizer builds keep freed blocks in quarantine,
            # hence the room for RSS
            assert_range $fwd 1 128
            assert_range [expr {$peak - $rss0}] 0 100000
            assert_match "VERSION *" [mc cmd version]
            assert_equal [mc_get_raw "get nothing"] "END\r\n"
            close $s
            proxy_wait_stat alpha client_connections 1
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}
