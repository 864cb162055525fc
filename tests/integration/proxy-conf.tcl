# tests/integration/proxy-conf.tcl: shoal-proxy's configuration: -t like
# nutcracker, --help, workers, protocol both (two listeners), and SIGHUP
# reloads that keep connected clients (a bad file keeps the old config).

source [file join [file dirname $::test_file_path] proxy-common.inc]

proc proxy_test_conf {text} {
    set path [file join $::file_tmpdir conf-[incr ::conf_seq].yml]
    write_file $path $text
    set rc [catch {exec [proxy_binary] -t -c $path 2>@1} out]
    return [list $rc $out]
}

test {-t accepts a valid file and says so, as nutcracker does} {
    lassign [proxy_test_conf "alpha:\n  listen: 127.0.0.1:22121\n  servers:\n   - 127.0.0.1:11211:1\n"] rc out
    assert_equal $rc 0
    assert_match "*configuration file '*' syntax is ok*" $out
}

test {-t rejects bad files with the file, line and reason} {
    foreach {yaml why} {
        "alpha:\n  listen: 127.0.0.1:22121\n  bogus_key: 1\n  servers:\n   - 127.0.0.1:11211:1\n" {*:3:*bogus_key*}
        "alpha:\n  listen: 127.0.0.1:22121\n  hash: nohash\n  servers:\n   - 127.0.0.1:11211:1\n" {*:3:*}
        "alpha:\n  listen: 127.0.0.1:22121\n  servers:\n   - 127.0.0.1:notaport:1\n" {*:4:*}
        "alpha:\n  listen: 127.0.0.1:22121\n  servers:\n   - no-such-host.invalid:11211:1\n"
            {*:4: cannot resolve server 'no-such-host.invalid:11211:1'?child*}
        "alpha:\n  listen: 127.0.0.1:22121\n  servers:\n   - \"\[::1\]:11211:1\"\n"
            {*:4: cannot resolve server '\[::1\]:11211:1' (an IPv6 address is written without brackets: ::1:11211:1)*}
    } {
        lassign [proxy_test_conf $yaml] rc out
        assert_equal $rc 1
        assert_match "*syntax is invalid*" $out
        assert_match $why $out
    }
}

test {--help lists the options} {
    set out [exec [proxy_binary] --help]
    foreach opt {--conf-file --test-conf --stats-port --workers --verbose} {
        assert_match "*$opt*" $out
    }
}

test {an unknown option is refused} {
    assert_error {*} {exec [proxy_binary] --no-such-option 2>@1}
}

test {a bad --shutdown-timeout is refused with the reason} {
    foreach bad {abc -1 5s 3600001} {
        assert_error "*bad shutdown timeout '$bad'*" {exec [proxy_binary] --shutdown-timeout $bad -c /nonexistent 2>@1}
    }
}

test {numeric options refuse what is not a number in range, naming the option} {
    foreach {opt bad why} {
        -s abc {stats port} -s 70000 {stats port} -s 22222x {stats port}
        -w 0 {worker count} -w 257 {worker count} -w two {worker count}
        --mc-port-offset -1 {mc port offset} --mc-port-offset 1e3 {mc port offset}
    } {
        assert_error "*bad $why '$bad'*" {exec [proxy_binary] $opt $bad -t -c /nonexistent 2>@1}
    }
}

test {nutcracker's -m/--mbuf-size is accepted, -D describes every stat} {
    set path [file join $::file_tmpdir mbuf.yml]
    write_file $path "alpha:\n  listen: 127.0.0.1:1\n  servers:\n   - 127.0.0.1:2:1\n"
    assert_match "*syntax is ok*" [exec [proxy_binary] -m 512 -t -c $path 2>@1]
    assert_match "*syntax is ok*" [exec [proxy_binary] --mbuf-size=16384 -t -c $path 2>@1]
    set out [exec [proxy_binary] -D]
    # every pool and server field of the stats JSON is described, in its section
    lassign [split [string map [list "\nserver stats:\n" \x01] $out] \x01] pools servers
    foreach f {client_eof client_err client_connections server_ejects forward_error fragments
               fragment_errors requests gets_joined latency_us} {
        assert_match "*\n  $f *\"*\"*" $pools
    }
    foreach f {server_eof server_err server_timedout server_connections server_ejected_at requests
               request_bytes responses response_bytes in_queue out_queue latency_us} {
        assert_match "*\n  $f *\"*\"*" "\n$servers"
    }
    assert_equal [exec [proxy_binary] --describe-stats] $out
}

test {workers: N starts N worker threads} {
    set nodes [proxy_nodes memcached 1]
    try {
        start_proxy "[proxy_yaml alpha memcache $nodes]  workers: 3\n" {
            wait_for_log_line "*3 workers*"
            assert_equal [llength [glob -directory /proc/[srv pid]/task *]] 4
            assert_equal [mc cmd "set w 0 0 1\r\nx"] STORED
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# shoal-server nodes with the mc port at port + 100 (protocol both's rule).
proc ::harness::both_argv {port dir} {
    return [::harness::redis_argv $::server_binary {} [list --mc-port [expr {$port + 100}]] $port $dir]
}

test {protocol both: Memcached on listen, RESP on redis_listen, one keyspace per node} {
    set nodes {}
    try {
        for {set i 0} {$i < 2} {incr i} {
            set spec [dict create binary $::server_binary name both ready "Ready to accept connections" \
                argv_fn ::harness::both_argv]
            set n [::harness::launch $spec]
            dict set n addr 127.0.0.1:[dict get $n port]
            lappend nodes $n
        }
        set y "both:\n  listen: @LISTEN@\n  redis_listen: @LISTEN2@\n  protocol: both\n  servers:\n"
        foreach n $nodes { append y "   - [dict get $n addr]:1\n" }
        start_proxy $y {
            set rc [resp_client 127.0.0.1 [srv listen2]]
            for {set i 0} {$i < 20} {incr i} {
                assert_equal [mc cmd "set both:$i 0 0 [string length $i]\r\n$i"] STORED
            }
            for {set i 0} {$i < 20} {incr i} {
                assert_equal [$rc get both:$i] $i
            }
            assert_equal [$rc set fromresp hello] OK
            mc sendline "get fromresp"
            assert_equal [mc read_until END] "VALUE fromresp 0 5\r\nhello\r\nEND\r\n"
            $rc close
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {SIGHUP: new servers for new requests, clients kept; a bad file keeps the old config} {
    set nodes [proxy_nodes memcached 2]
    set a [dict get [lindex $nodes 0] addr]
    set b [dict get [lindex $nodes 1] addr]
    try {
        start_proxy "alpha:\n  listen: @LISTEN@\n  servers:\n   - $a:1\n" {
            assert_equal [mc cmd "set r1 0 0 1\r\nx"] STORED
            assert_equal [lindex [mc cmd "route r1"] 2] $a
            # the same file, now pointing at node b, plus a new pool
            write_file [srv conf] "alpha:\n  listen: 127.0.0.1:[srv port]\n  servers:\n   - $b:1\n\
                \nnewpool:\n  listen: 127.0.0.1:[srv listen2]\n  servers:\n   - $a:1\n"
            set from [log_line_count]
            exec kill -HUP [srv pid]
            wait_for_log_line "*configuration reloaded*" -from $from
            # the connected client was not dropped and now reaches node b
            wait_for_condition 100 20 {[lindex [mc cmd "route r1"] 2] eq $b} else {
                fail "route did not move to $b"
            }
            mc sendline "get r1"
            assert_equal [mc read_until END] "END\r\n"
            assert_equal [mc cmd "set r2 0 0 1\r\ny"] STORED
            set direct [node_client [lindex $nodes 1]]
            $direct sendline "get r2"
            assert_equal [$direct read_until END] "VALUE r2 0 1\r\ny\r\nEND\r\n"
            $direct close
            # the new pool listens
            set m2 [mc_client 127.0.0.1 [srv listen2]]
            $m2 sendline "get r1"
            assert_equal [$m2 read_until END] "VALUE r1 0 1\r\nx\r\nEND\r\n"
            $m2 close
            # a broken file is logged, the running config stays
            write_file [srv conf] "alpha:\n  listen: 127.0.0.1:[srv port]\n  nonsense: yes\n"
            set from [log_line_count]
            exec kill -HUP [srv pid]
            wait_for_log_line "*reload failed*nonsense*" -from $from
            assert_equal [lindex [mc cmd "route r1"] 2] $b
            assert_equal [mc cmd "set r3 0 0 1\r\nz"] STORED
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {a listen address in use is reported and the proxy exits} {
    set held [socket -server {apply {args {}}} -myaddr 127.0.0.1 0]
    set port [lindex [fconfigure $held -sockname] 2]
    set path [file join $::file_tmpdir inuse.yml]
    write_file $path "alpha:\n  listen: 127.0.0.1:$port\n  servers:\n   - 127.0.0.1:11211:1\n"
    set rc [catch {exec [proxy_binary] -c $path -s 0 2>@1} out]
    close $held
    assert_equal $rc 1
    assert_match "*cannot listen on 127.0.0.1:$port*" $out
}

test {conf/shoal-proxy.yml: a key written by a Memcached client is read by a Redis client} {
    set nodes [proxy_nodes shoal-mc 2]
    try {
        set f [open [file join [file dirname $::test_file_path] .. .. conf shoal-proxy.yml]]
        set text [read $f]
        close $f
        set map {}
        foreach n $nodes i {1 2} {
            lappend map 127.0.0.1:700$i: 127.0.0.1:[dict get $n port]: \
                127.0.0.1:710$i: 127.0.0.1:[dict get $n data_port]:
        }
        lappend map 127.0.0.1:11211 @LISTEN@ 127.0.0.1:6379 @LISTEN2@
        start_proxy [string map $map $text] {
            set rc [resp_client 127.0.0.1 [srv listen2]]
            for {set i 0} {$i < 40} {incr i} {
                assert_equal [mc cmd "set cross:$i 0 0 [string length $i]\r\n$i"] STORED
            }
            for {set i 0} {$i < 40} {incr i} { assert_equal [$rc get cross:$i] $i }
            assert_equal [$rc mset cross:a A cross:b B] OK
            mc sendline "get cross:a cross:b"
            assert_equal [mc read_until END] "VALUE cross:a 0 1\r\nA\r\nVALUE cross:b 0 1\r\nB\r\nEND\r\n"
            $rc close
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}
