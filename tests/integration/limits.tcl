# tests/integration/limits.tcl: what keeps one client from hurting the node.
#
# client-query-buffer-limit (an endless bulk or multibulk is cut off, with a
# log line, and the node keeps serving), client-output-buffer-limit (a reply
# past the hard limit closes the client, as redis does), the node's own
# backpressure (a client that never reads stays bounded in the node's
# memory), maxclients (differential refusal text) and the open-files limit
# (maxclients is lowered to fit it, extra clients are refused, not queued).

# Writes `chunk` repeatedly (at most max_bytes) until the server stops
# taking it; returns the number of bytes written before the error.
proc flood {port header chunk max_bytes} {
    set fd [socket 127.0.0.1 $port]
    fconfigure $fd -translation binary -blocking 1 -buffering none
    set sent 0
    try {
        puts -nonewline $fd $header
        while {$sent < $max_bytes} {
            puts -nonewline $fd $chunk
            incr sent [string length $chunk]
        }
    } on error {} {
    } finally {
        catch {close $fd}
    }
    return $sent
}

proc used_memory {} { return [get_info_field [r info memory] used_memory] }

# user+system CPU ticks (1/100 s) a process has used, from /proc.
proc proc_cpu_ticks {pid} {
    set f [open /proc/$pid/stat]
    set stat [read $f]
    close $f
    set fields [split [string range $stat [expr {[string last ")" $stat] + 2}] end]]
    return [expr {[lindex $fields 11] + [lindex $fields 12]}]
}

start_server {tags {limits} client-query-buffer-limit 1mb} {

    test {an endless bulk is cut off at client-query-buffer-limit} {
        set from [log_line_count]
        set sent [flood [srv port] "*3\r\n\$3\r\nSET\r\n\$4\r\nqbuf\r\n\$100000000\r\n" \
            [string repeat x 65536] 64000000]
        assert {$sent < 64000000}
        wait_for_log_line "*Closing client that reached max query buffer length*" -from $from
        assert_equal [get_info_field [r info stats] client_query_buffer_limit_disconnections] 1
        assert_equal [r exists qbuf] 0
        assert_equal [r ping] PONG
    }

    test {an endless multibulk of small args is cut off too} {
        set from [log_line_count]
        set sent [flood [srv port] "*100000000\r\n\$3\r\nSET\r\n" [string repeat "\$1\r\na\r\n" 10000] 64000000]
        assert {$sent < 64000000}
        wait_for_log_line "*Closing client that reached max query buffer length*" -from $from
        assert_equal [get_info_field [r info stats] client_query_buffer_limit_disconnections] 2
        assert_equal [r ping] PONG
    }

    test {a large request under the limit is still served} {
        set v [string repeat v 900000]
        assert_equal [r set q:ok $v] OK
        assert_equal [r strlen q:ok] 900000
    }
}

start_server {tags {limits}} {
start_oracle_redis {} {

    test {a reply past the output buffer hard limit closes the client, as redis} {
        foreach c {r oracle} {
            $c config set client-output-buffer-limit "normal 2mb 0 0"
            $c set ob:big [string repeat b 5000000]
        }
        assert_same_raw [resp_encode {get ob:big}] eof
        assert_same_raw "[resp_encode {ping}][resp_encode {get ob:big}][resp_encode {ping}]" eof
        assert_equal [get_info_field [r info stats] client_output_buffer_limit_disconnections] 2
        # under the limit it is served
        foreach c {r oracle} { $c set ob:small [string repeat s 1000000] }
        assert_same_raw [resp_encode {strlen ob:small}][resp_encode {get ob:small}] 2
        foreach c {r oracle} { $c config set client-output-buffer-limit "normal 0 0 0" }
    }

    test {maxclients: the extra client is refused with redis's error} {
        foreach c {r oracle} { $c config set maxclients 10 }
        set held {}
        for {set i 0} {$i < 9} {incr i} {
            lappend held [resp_client [srv host] [srv port]]
            lappend held [resp_client [oracle_srv host] [oracle_srv port]]
        }
        foreach c $held { assert_equal [$c ping] PONG }
        set rejected [get_info_field [r info stats] rejected_connections]
        set reply [assert_same_raw {} eof]
        assert_equal $reply "-ERR max number of clients reached\r\n"
        assert_equal [get_info_field [r info stats] rejected_connections] [expr {$rejected + 1}]
        # a slot freed is a slot usable
        [lindex $held 0] close
        wait_for_condition 50 20 {
            [get_info_field [r info clients] connected_clients] == 9
        } else { fail "closed client still counted" }
        set c [resp_client [srv host] [srv port]]
        assert_equal [$c ping] PONG
        $c close
        foreach c [lrange $held 1 end] { $c close }
        foreach c {r oracle} { $c config set maxclients 10000 }
    }
}
}

start_server {tags {limits} mc-port auto} {

    # Sends 300 requests whose replies are `one` bytes each (300 MB if the
    # node built them all) without reading; the node's memory must stay
    # bounded while the client does not read (the node stops reading it
    # once 1 MiB waits unsent), and every byte must arrive once it does.
    proc never_reader_bounded {port request one} {
        set base [used_memory]
        set fd [socket 127.0.0.1 $port]
        fconfigure $fd -translation binary -blocking 0 -buffering full
        puts -nonewline $fd [string repeat $request 300]
        flush $fd
        wait_for_condition 100 50 {
            [get_info_field [r info memory] used_memory] - $base > 1000000
        } else { fail "replies never buffered" }
        after 300
        set peak 0
        for {set i 0} {$i < 5} {incr i} {
            set peak [expr {max($peak, [used_memory] - $base)}]
            after 50
        }
        assert_range $peak 1000000 [expr {8 * 1000000}]
        assert_equal [r ping] PONG
        fconfigure $fd -blocking 1
        set got 0
        while {$got < 300 * $one} {
            set chunk [read $fd [expr {min(1048576, 300 * $one - $got)}]]
            if {$chunk eq {} && [eof $fd]} break
            incr got [string length $chunk]
        }
        close $fd
        assert_equal $got [expr {300 * $one}]
        wait_for_condition 100 20 {
            [used_memory] - $base < 200000
        } else { fail "client buffers not released: [expr {[used_memory] - $base}]" }
    }

    test {a client that never reads its replies stays bounded in the node} {
        r set big [string repeat x 1000000]
        never_reader_bounded [srv port] [resp_encode {get big}] \
            [string length "\$1000000\r\n[string repeat x 1000000]\r\n"]
    }

    test {a memcached client that never reads its replies stays bounded in the node} {
        r config set item-size-max 2mb
        r set mcbig [string repeat y 1000000]
        never_reader_bounded [srv mc_port] "get mcbig\r\n" \
            [string length "VALUE mcbig 0 1000000\r\n[string repeat y 1000000]\r\nEND\r\n"]
        r config set item-size-max 1mb
    }

    test {proto-max-bulk-len set at runtime} {
        r config set proto-max-bulk-len 1mb
        set c [new_client]
        $c raw "*3\r\n\$3\r\nSET\r\n\$1\r\nk\r\n\$1048577\r\n"
        assert_equal [$c read_eof] "-ERR Protocol error: invalid bulk length\r\n"
        $c close
        set c [new_client]
        assert_equal [$c set k [string repeat k 1048576]] OK
        $c close
        r config set proto-max-bulk-len 512mb
        assert_equal [r strlen k] 1048576
    }
}

# A node whose open-files limit is far below maxclients: it must lower
# maxclients and refuse the extra clients with an error instead of leaving
# them queued while accept() fails (and the event loop spins).
set lowfd_dir [::harness::new_dir lowfd]
set lowfd_bin [file join $lowfd_dir shoal-server-lowfd]
set f [open $lowfd_bin w]
puts $f "#!/bin/sh\nulimit -n 64 || exit 1\nexec '$::server_binary' \"\$@\""
close $f
file attributes $lowfd_bin -permissions 0755

start_server [list binary $lowfd_bin maxclients 1000 tags {limits}] {
    test {maxclients is lowered to the open-files limit} {
        wait_for_log_line "*maxclients has been reduced to 32*"
        assert_equal [lindex [r config get maxclients] 1] 32
    }

    test {past the fd limit clients are refused promptly and the node stays responsive} {
        set clients {}
        set refused 0
        for {set i 0} {$i < 60} {incr i} {
            set c [resp_client [srv host] [srv port] -timeout 5]
            if {[catch {$c ping} reply]} {
                assert_match "*max number of clients reached*" $reply
                incr refused
                $c close
            } else {
                assert_equal $reply PONG
                lappend clients $c
            }
        }
        assert_equal [llength $clients] 31
        assert_equal $refused 29
        set t0 [clock milliseconds]
        assert_equal [r ping] PONG
        assert_range [expr {[clock milliseconds] - $t0}] 0 1000
        foreach c $clients { $c close }
    }

    test {maxclients raised past the fd limit at run time: no busy loop on EMFILE} {
        r config set maxclients 1000
        set pid [srv pid]
        # 80 connections: past ~55 accept() fails with EMFILE and the rest
        # wait in the listen backlog
        set socks {}
        for {set i 0} {$i < 80} {incr i} {
            set s [socket 127.0.0.1 [srv port]]
            fconfigure $s -translation binary -blocking 0
            puts -nonewline $s "PING\r\n"
            flush $s
            lappend socks $s
        }
        wait_for_log_line "*Accepting client connection: Too many open files*"
        set cpu0 [proc_cpu_ticks $pid]
        after 1000
        set used [expr {[proc_cpu_ticks $pid] - $cpu0}]
        assert_equal [r ping] PONG
        # an idle node uses well under 30% of a core; a spinning one ~100%
        assert_range $used 0 30
        foreach s $socks { close $s }
        # the listener comes back once descriptors are free
        wait_for_condition 100 50 {
            ![catch {set c [resp_client [srv host] [srv port] -timeout 1]; $c ping; $c close}]
        } else { fail "node does not accept clients any more" }
        r config set maxclients 32
    }
}
