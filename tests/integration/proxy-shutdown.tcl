# tests/integration/proxy-shutdown.tcl: shoal-proxy stops gracefully. On
# SIGTERM it accepts no new connection and reads no new request, answers
# the requests it has already read, closes each client once its replies are
# out and exits when none is left; --shutdown-timeout bounds the wait, a
# second signal or --shutdown-timeout 0 stops at once. Mock nodes (proxy-
# common.inc) hold replies back so requests are in flight at the signal.

source [file join [file dirname $::test_file_path] proxy-common.inc]

# Let the mocks run (they live in this interpreter's event loop) until the
# process is gone, or ms pass; returns whether it is gone.
proc wait_exit {pid ms} {
    set deadline [expr {[clock milliseconds] + $ms}]
    while {[::harness::alive $pid] && [clock milliseconds] < $deadline} { mock_sleep 10 }
    return [expr {![::harness::alive $pid]}]
}

proc with_held_node {mode extra body} {
    set m [mock_node $mode]
    try {
        start_proxy "alpha:\n  listen: @LISTEN@\n  timeout: 10000\n  servers:\n   - 127.0.0.1:[lindex $m 1]:1\n" {
            uplevel 1 [list set port [lindex $m 1]]
            uplevel 1 $body
        } $extra
    } finally {
        mock_stop [list $m]
    }
}

# Send the requests, and wait until the node has them all.
proc send_in_flight {port req want} {
    mc send $req
    for {set i 0} {$i < 300 && $::mock_in($port) ne $want} {incr i} { mock_sleep 10 }
    assert_equal $::mock_in($port) $want
}

test {SIGTERM: requests in flight are answered, then the client is closed and the proxy exits} {
    with_held_node hold {} {
        set pid [srv pid]
        set idle [mc_client 127.0.0.1 [srv port]]
        send_in_flight $port "get a\r\nget b\r\n" "get a b\r\n"
        exec kill -TERM $pid
        mock_sleep 100
        # still running: it waits for the node's answer
        assert [::harness::alive $pid]
        # an idle client is closed at once, without waiting for the others
        fconfigure [$idle fd] -blocking 0
        set eof 0
        for {set i 0} {$i < 100 && !$eof} {incr i} {
            read [$idle fd]
            set eof [eof [$idle fd]]
            if {!$eof} { mock_sleep 10 }
        }
        assert_equal $eof 1
        $idle close
        # a new connection is not served (it waits in the backlog until exit)
        set late [socket 127.0.0.1 [srv port]]
        fconfigure $late -blocking 0 -translation binary
        puts -nonewline $late "get c\r\n"
        flush $late
        set ::mock_release($port) 1
        fconfigure [mc fd] -blocking 0
        set expect "VALUE a 0 3\r\nv-a\r\nEND\r\nVALUE b 0 3\r\nv-b\r\nEND\r\n"
        assert_equal [mc read_bytes [string length $expect]] $expect
        assert [wait_exit $pid 4000]
        # the client saw the end of the stream after its replies
        assert_equal [read [mc fd]] {}
        assert [eof [mc fd]]
        catch {close $late}
        # the late request never reached the node
        assert_equal $::mock_in($port) "get a b\r\n"
        assert_match {*shutting down: no new connections*every client answered and closed*} \
            [read_file_bytes [file join [srv dir] stdout.log]]
    }
}

test {--shutdown-timeout bounds the wait for a node that never answers} {
    with_held_node mute {--shutdown-timeout 300} {
        set pid [srv pid]
        send_in_flight $port "get a\r\n" "get a\r\n"
        set t0 [clock milliseconds]
        exec kill -TERM $pid
        assert [wait_exit $pid 3000]
        set took [expr {[clock milliseconds] - $t0}]
        assert {$took >= 250}
        assert_match {*shutdown timeout (300 ms)*} [read_file_bytes [file join [srv dir] stdout.log]]
    }
}

test {a second signal stops at once; --shutdown-timeout 0 does not wait at all} {
    with_held_node mute {} {
        set pid [srv pid]
        send_in_flight $port "get a\r\n" "get a\r\n"
        exec kill -TERM $pid
        mock_sleep 100
        assert [::harness::alive $pid]
        exec kill -INT $pid
        assert [wait_exit $pid 1500]
    }
    with_held_node mute {--shutdown-timeout 0} {
        set pid [srv pid]
        send_in_flight $port "get a\r\n" "get a\r\n"
        exec kill -TERM $pid
        assert [wait_exit $pid 1500]
    }
}
