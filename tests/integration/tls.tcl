# tests/integration/tls.tcl: tls-port and tls-mc-port. A throwaway CA,
# server and client certificate are made in the test's directory by
# tests/helpers/tlsutil.tcl (no key is ever committed). Checked: redis-cli
# --tls, client certificates per tls-auth-clients, Memcached over TLS (the
# helpers' clients with -tls), a plain-text client on the TLS port, a
# 1000-command pipeline, session resumption with a client certificate, bad
# files refused at start, and shoal-bench --tls.

source [file join $::testsdir helpers tlsutil.tcl]

set ::tlsdir [file join $::file_tmpdir tls-certs]
tls_make_certs $::tlsdir

proc tls_opts {auth} {
    list tls-cert-file $::tlsdir/server.crt tls-key-file $::tlsdir/server.key \
        tls-ca-cert-file $::tlsdir/ca.crt tls-auth-clients $auth
}

proc tls_cli {port with_cert args} { tls_redis_cli $::tlsdir $port $with_cert {*}$args }

set tport [find_available_port]
set tmport [find_available_port]
start_server [list tls-port $tport tls-mc-port $tmport {*}[tls_opts yes] tags {tls}] {
    test {redis-cli --tls with a client certificate: PING, SET, GET} {
        assert_equal [tls_cli $tport 1 ping] PONG
        assert_equal [tls_cli $tport 1 set tlskey hello] OK
        assert_equal [tls_cli $tport 1 get tlskey] hello
        # the same keyspace as the plain port
        assert_equal [r get tlskey] hello
    }

    test {tls-auth-clients yes: a client without a certificate is refused} {
        set out [tls_cli $tport 0 ping]
        assert_not_equal $out PONG
        assert_equal [r ping] PONG
    }

    test {plain text on the TLS port is dropped, the node keeps serving} {
        set before [get_info_field [r info clients] connected_clients]
        set s [socket 127.0.0.1 $tport]
        fconfigure $s -translation binary -buffering none
        puts -nonewline $s "PING\r\n*1\r\n\$4\r\nPING\r\n"
        set got [read $s]
        close $s
        assert {![string match *PONG* $got]}
        assert_equal [r ping] PONG
        wait_for_condition 50 20 {
            [get_info_field [r info clients] connected_clients] == $before
        } else { fail "the plain client was not dropped" }
        assert_equal [tls_cli $tport 1 ping] PONG
    }

    test {Memcached over TLS on tls-mc-port: set, get, delete} {
        set m [mc_client 127.0.0.1 $tmport -tls [tls_client_opts $::tlsdir]]
        assert_equal [$m cmd "set mckey 5 0 3\r\nabc"] STORED
        $m sendline "get mckey"
        assert_equal [$m read_until END] "VALUE mckey 5 3\r\nabc\r\nEND\r\n"
        $m send "delete mckey\r\nget mckey\r\n"
        assert_equal [$m read_line] DELETED
        assert_equal [$m read_line] END
        $m close
    }

    test {a 1000-command pipeline over TLS gets every reply, in order} {
        set c [resp_client 127.0.0.1 $tport -tls [tls_client_opts $::tlsdir]]
        set buf ""
        for {set i 0} {$i < 1000} {incr i} {
            # sizes vary so requests straddle TLS records and read buffers
            set pad [string repeat x [expr {($i * 37) % 61}]]
            append buf [resp_encode [list ECHO "$i-$pad"]]
        }
        $c raw $buf
        set bad {}
        for {set i 0} {$i < 1000 && $bad eq {}} {incr i} {
            set want "$i-[string repeat x [expr {($i * 37) % 61}]]"
            set got [$c read_raw]
            if {$got ne "\$[string length $want]\r\n$want\r\n"} {
                set bad "reply $i: [resp_escape $got]"
            }
        }
        $c close
        assert_equal $bad {}
    }

    test {session resumption with a client certificate (TLS 1.2 session ID, 1.3 ticket)} {
        foreach v {-tls1_2 -tls1_3} {
            lassign [tls_resume $::tlsdir $tport $v [file join $::file_tmpdir sess$v.pem]] \
                rc1 first rc2 second
            # the node ends the session with a close_notify after QUIT:
            # s_client exits 0 (it said "unexpected eof" and 1 without it)
            assert_equal [list $rc1 $rc2] {0 0} "$first\n$second"
            assert_match "*New, TLSv1.*+PONG*" $first
            assert_match {*Reused, TLSv1.[23]*+PONG*} $second
        }
    }

    test {shoal-bench --tls against tls-port} {
        set before [get_info_field [r info stats] total_commands_processed]
        set bench [file join [file dirname [file dirname $::server_binary]] bench shoal-bench]
        set rc [catch {exec $bench -h 127.0.0.1 -p $tport --tls --tls-cacert $::tlsdir/ca.crt \
            --tls-cert $::tlsdir/client.crt --tls-key $::tlsdir/client.key \
            -n 2000 -c 2 -P 4 -t set,get --verify -q 2>@1} out]
        assert_equal $rc 0 $out
        set after [get_info_field [r info stats] total_commands_processed]
        assert {$after - $before >= 4000}
    }
}

foreach auth {optional no} {
    set tport [find_available_port]
    start_server [list tls-port $tport {*}[tls_opts $auth] tags {tls}] {
        test "tls-auth-clients $auth: clients with and without a certificate are served" {
            assert_equal [tls_cli $tport 0 ping] PONG
            assert_equal [tls_cli $tport 1 ping] PONG
        }
    }
}

test {bad TLS files: the node refuses to start and names the file} {
    set missing [file join $::tlsdir no-such.pem]
    set cases [list \
        [list tls-cert-file $missing tls-key-file $::tlsdir/server.key tls-ca-cert-file $::tlsdir/ca.crt] \
        [list tls-cert-file $::tlsdir/server.crt tls-key-file $missing tls-ca-cert-file $::tlsdir/ca.crt] \
        [list tls-cert-file $::tlsdir/server.crt tls-key-file $::tlsdir/server.key tls-ca-cert-file $missing] \
        [list tls-cert-file $::tlsdir/server.crt tls-key-file $::tlsdir/client.key tls-ca-cert-file $::tlsdir/ca.crt]]
    foreach c $cases {
        set argv [list --port 0 --mc-port 0 --bind 127.0.0.1 --tls-port [find_available_port]]
        foreach {k v} $c { lappend argv --$k $v }
        set rc [catch {exec timeout 10 $::server_binary {*}$argv 2>@1} out]
        assert_equal $rc 1 "started with $c: $out"
        if {[dict get $c tls-key-file] eq "$::tlsdir/client.key"} {
            assert_match "*Failed to configure TLS*tls-key-file*client.key*mismatch*" $out
        } else {
            assert_match "*Failed to configure TLS*no-such.pem*No such file*" $out
        }
    }
}
