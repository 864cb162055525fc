# tests/integration/proxy-resp-gaps.tcl: RESP behaviours of shoal-proxy the
# audit (issue 4) left without a test or without a fix: pipelined replies
# in request order when mock RESP nodes answer out of order (one byte per
# turn); SORT ... STORE dest kept on key's node; CLIENT SETNAME / GETNAME /
# INFO and HELLO SETNAME kept per proxy client; a client that never reads
# holds a bounded number of bytes whatever the value size.

source [file join [file dirname $::test_file_path] proxy-common.inc]

proc r_route {key} { return [lindex [r proxy route $key] 0] }

# Let the event loop run (the mocks live in it) for ms milliseconds.
proc om_sleep {ms} {
    after $ms {set ::om_tick 1}
    vwait ::om_tick
}

# ----------------------------------------------------- out-of-order mocks ---

# A mock RESP node answering GET k with "<port>:k" and MGET with an array of
# those; a request with a key starting "slow" is held (and the replies after
# it on that connection, as a real server would) until ::om_release($port)
# is set.  Replies leave one byte per event-loop turn.  ::om_events gets
# {port key} when a GET or MGET reply starts to be sent.
proc om_node {} {
    set port [find_available_port]
    set s [socket -server [list om_accept $port] -myaddr 127.0.0.1 $port]
    return [list $s $port]
}

proc om_accept {port fd host rport} {
    fconfigure $fd -translation binary -blocking 0 -buffering none
    lappend ::om_conns $fd
    set ::om_buf($fd) {}
    set ::om_q($fd) {}
    set ::om_out($fd) {}
    fileevent $fd readable [list om_read $port $fd]
}

proc om_read {port fd} {
    set data [read $fd]
    if {[eof $fd]} { catch {close $fd}; return }
    append ::om_buf($fd) $data
    while {[regexp {^\*(\d+)\r\n} $::om_buf($fd) all n]} {
        set pos [string length $all]
        set argv {}
        set b $::om_buf($fd)
        for {set i 0} {$i < $n} {incr i} {
            if {![regexp {^\$(\d+)\r\n} [string range $b $pos end] h len]} { return }
            set start [expr {$pos + [string length $h]}]
            if {[string length $b] < $start + $len + 2} { return }
            lappend argv [string range $b $start [expr {$start + $len - 1}]]
            set pos [expr {$start + $len + 2}]
        }
        set ::om_buf($fd) [string range $b $pos end]
        lappend ::om_q($fd) [om_answer $port $argv]
    }
    om_pump $port $fd
}

proc om_bulk {s} { return "\$[string length $s]\r\n$s\r\n" }

proc om_answer {port argv} {
    set keys [lrange $argv 1 end]
    set held [expr {[lsearch -glob $keys slow*] >= 0}]
    switch -- [string tolower [lindex $argv 0]] {
        get { set reply [om_bulk $port:[lindex $keys 0]] }
        mget {
            set reply "*[llength $keys]\r\n"
            foreach k $keys { append reply [om_bulk $port:$k] }
        }
        default { set reply "-ERR mock knows only GET and MGET\r\n" }
    }
    return [list $held $keys $reply]
}

# Move answerable replies, in order, to the connection's drip.
proc om_pump {port fd} {
    while {[llength $::om_q($fd)]} {
        lassign [lindex $::om_q($fd) 0] held keys reply
        if {$held && ![info exists ::om_release($port)]} {
            after 10 [list om_pump $port $fd]
            return
        }
        set ::om_q($fd) [lrange $::om_q($fd) 1 end]
        lappend ::om_events [list $port $keys]
        set idle [expr {$::om_out($fd) eq {}}]
        append ::om_out($fd) $reply
        if {$idle} { after 1 [list om_drip $fd] }
    }
}

proc om_drip {fd} {
    if {$::om_out($fd) eq {}} { return }
    if {[catch {puts -nonewline $fd [string index $::om_out($fd) 0]}]} { return }
    set ::om_out($fd) [string range $::om_out($fd) 1 end]
    after 1 [list om_drip $fd]
}

proc om_stop {mocks} {
    foreach m $mocks { close [lindex $m 0] }
    foreach fd [lsort -unique [expr {[info exists ::om_conns] ? $::om_conns : {}}]] { catch {close $fd} }
    set ::om_conns {}
    array unset ::om_release
}

# n keys of prefix owned by the server at addr.
proc keys_on {prefix addr n} {
    set out {}
    for {set i 0} {$i < 1000 && [llength $out] < $n} {incr i} {
        if {[r_route $prefix$i] eq $addr} { lappend out $prefix$i }
    }
    if {[llength $out] < $n} { fail "not $n $prefix keys on $addr" }
    return $out
}

test {RESP: pipelined replies leave in request order when mock nodes answer out of order} {
    set slow [om_node]
    set fast [om_node]
    set sp [lindex $slow 1]
    set fp [lindex $fast 1]
    set ::om_events {}
    try {
        start_proxy "beta:\n  listen: @LISTEN@\n  redis: true\n  hash: murmur\n  timeout: 10000\n  servers:\n   - 127.0.0.1:$sp:1\n   - 127.0.0.1:$fp:1\n" {
            lassign [keys_on slow 127.0.0.1:$sp 1] s0
            lassign [keys_on a 127.0.0.1:$sp 2] a0 a1
            lassign [keys_on b 127.0.0.1:$fp 3] b0 b1 b2
            # request order: held GET on the slow node, GETs on the fast one,
            # a GET queued behind the held one, MGETs split over both nodes
            set reqs [list [list get $s0] [list get $b0] [list mget $b1 $a0] \
                [list get $a1] [list get $b2] [list mget $b0 $b1 $b2] [list mget $a0 $b0]]
            set c [resp_client 127.0.0.1 [srv port]]
            set bytes {}
            foreach q $reqs { append bytes [resp_encode $q] }
            $c raw $bytes
            # the fast node answers all of its part while the slow one holds
            set want_fast 5
            for {set i 0} {$i < 300} {incr i} {
                set nf 0
                foreach e $::om_events { if {[lindex $e 0] == $fp} { incr nf } }
                if {$nf >= $want_fast} break
                om_sleep 10
            }
            assert_equal $nf $want_fast
            om_sleep 200
            assert_equal [chan pending input [$c fd]] 0
            fconfigure [$c fd] -blocking 0
            assert_equal [read [$c fd]] {}
            fconfigure [$c fd] -blocking 1
            foreach e $::om_events { assert_equal [lindex $e 0] $fp }
            set ::om_release($sp) 1
            # replies: the mocks run in this interpreter's loop, so wait for
            # the bytes before reading them
            set want [list "$sp:$s0" "$fp:$b0" [list "$fp:$b1" "$sp:$a0"] "$sp:$a1" "$fp:$b2" \
                [list "$fp:$b0" "$fp:$b1" "$fp:$b2"] [list "$sp:$a0" "$fp:$b0"]]
            set got {}
            for {set i 0} {$i < 500 && [llength $::om_events] < 9} {incr i} { om_sleep 10 }
            om_sleep 300
            foreach q $reqs { lappend got [$c read] }
            assert_equal $got $want
            # the slow node answered after the fast one, in its own order
            set order {}
            foreach e $::om_events { lappend order [lindex $e 0] }
            assert_equal [lrange $order 0 4] [lrepeat 5 $fp]
            assert_equal [lrange $order 5 end] [lrepeat 4 $sp]
            $c close
        }
    } finally {
        om_stop [list $slow $fast]
    }
}

# --------------------------------------------------------------- SORT ---

test {SORT ... STORE dest: CROSSSLOT unless dest is on key's node; SORT_RO routed by key} {
    set nodes [proxy_nodes shoal-resp 3]
    try {
        start_proxy [proxy_yaml beta redis $nodes hash murmur hash_tag "\"{}\""] {
            set a s0
            for {set i 1} {$i < 200} {incr i} {
                if {[r_route s$i] ne [r_route $a]} { set b s$i; break }
            }
            r rpush $a 3 1 2
            foreach cmd [list [list sort $a store $b] [list sort $a desc store $b] \
                    [list sort $a limit 0 2 alpha store $b] [list sort $a store $a store $b] \
                    [list sort $a by nosort get # store $b]] {
                assert_error "CROSSSLOT Keys in request don't hash to the same server*" {r {*}$cmd}
            }
            assert_equal [r exists $b] 0
            assert_equal [r sort $a] {1 2 3}
            assert_equal [r sort_ro $a desc] {3 2 1}
            # on one node (hash tag) it works
            r rpush "{t}src" 3 1 2
            assert_equal [r sort "{t}src" store "{t}dst"] 3
            assert_equal [r lrange "{t}dst" 0 -1] {1 2 3}
            assert_equal [r sort "{t}src" desc limit 0 2 store "{t}dst"] 2
            assert_equal [r lrange "{t}dst" 0 -1] {3 2}
            # dest on the same node without a tag
            for {set i 0} {$i < 500} {incr i} {
                if {[r_route d$i] eq [r_route $a]} { set same d$i; break }
            }
            assert_equal [r sort $a store $same] 3
            assert_equal [r lrange $same 0 -1] {1 2 3}
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# ------------------------------------------------------------- CLIENT ---

test {CLIENT SETNAME, GETNAME, INFO and HELLO SETNAME: the name is kept per proxy client} {
    set nodes [proxy_nodes shoal-resp 1]
    try {
        start_proxy [proxy_yaml beta redis $nodes] {
            assert_equal [r client getname] {}
            assert_equal [r client setname app-1] OK
            assert_equal [r client getname] app-1
            assert_match "id=* addr=127.0.0.1:* name=app-1 db=0 resp=2*" [r client info]
            set other [resp_client 127.0.0.1 [srv port]]
            assert_equal [$other client getname] {}
            assert_match "* name= *" [$other client info]
            assert_error "ERR Client names cannot contain spaces*" {$other client setname "a b"}
            # HELLO ... SETNAME names the client too, in either protocol
            $other hello 3 setname worker7
            assert_equal [::harness::exchange $other [resp_encode {client getname}] 1] "\$7\r\nworker7\r\n"
            assert_match "*name=worker7 db=0 resp=3*" [$other client info]
            $other hello 2 setname w8
            assert_equal [$other client getname] w8
            # an empty name clears it
            assert_equal [$other client setname ""] OK
            assert_equal [::harness::exchange $other [resp_encode {client getname}] 1] "\$-1\r\n"
            assert_equal [r client getname] app-1
            $other close
            assert_error "ERR this CLIENT subcommand is not supported*" {r client list}
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# ------------------------------------------------------- slow clients ---

test {a client that never reads: bounded by bytes (512 KB values), others served} {
    set nodes [proxy_nodes shoal-resp 1]
    set addr [dict get [lindex $nodes 0] addr]
    try {
        start_proxy [proxy_yaml beta redis $nodes] {
            set v [string repeat v 524288]
            assert_equal [r set big $v] OK
            proxy_wait_stat beta $addr requests 1
            set rss0 [proc_rss_kb [srv pid]]
            # 600 GETs of 512 KB: 300 MB of replies asked for
            set s [socket 127.0.0.1 [srv port]]
            fconfigure $s -translation binary -blocking 0 -buffering full -buffersize 65536
            puts -nonewline $s [string repeat [resp_encode {get big}] 600]
            flush $s
            lassign [watch_forwarding beta $addr om_sleep] fwd peak
            # a new client has 16 requests in flight until its replies show
            # their size, then 1 MB / 512 KB: about 1 MB plus 16 replies
            # (8 MB) plus the kernel's socket buffers.  Before the byte
            # bound, 256 were forwarded (128 MB).
            assert_range $fwd 1 48
            assert_range [expr {$peak - $rss0}] 0 60000
            assert_equal [r get small] {}
            assert_equal [string length [r get big]] 524288
            # the client reads at last: every reply, in order
            fconfigure $s -blocking 1 -buffering none
            set hdr "\$524288\r\n"
            for {set i 0} {$i < 600} {incr i} {
                set got [read $s [expr {[string length $hdr] + 524288 + 2}]]
                if {[string range $got 0 [string length $hdr]-1] ne $hdr} { fail "reply $i: [string range $got 0 20]" }
            }
            close $s
            proxy_wait_stat beta client_connections 1
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}
