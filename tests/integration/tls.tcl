# tests/integration/tls.tcl: tls-port and tls-mc-port. A throwaway CA,
# server and client certificate are made with the openssl CLI in the test's
# directory (no key is ever committed). Checked: redis-cli --tls, client
# certificates per tls-auth-clients, Memcached over TLS (Tcl's tls package),
# a plain-text client on the TLS port, a 1000-command pipeline, bad files
# refused at start, and shoal-bench --tls.

package require tls

proc tls_openssl {args} { exec -ignorestderr openssl {*}$args }

# CA + server (SAN 127.0.0.1/localhost) + client certificates in dir.
proc tls_make_certs {dir} {
    file mkdir $dir
    set ec {-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes}
    tls_openssl req -x509 {*}$ec -keyout $dir/ca.key -out $dir/ca.crt -days 2 -subj /CN=ShoalTestCA
    set f [open $dir/san.ext w]
    puts $f "subjectAltName=IP:127.0.0.1,DNS:localhost"
    close $f
    foreach n {server client} {
        tls_openssl req {*}$ec -keyout $dir/$n.key -out $dir/$n.csr -subj /CN=shoal-$n
        tls_openssl x509 -req -in $dir/$n.csr -CA $dir/ca.crt -CAkey $dir/ca.key -CAcreateserial \
            -out $dir/$n.crt -days 2 -extfile $dir/san.ext
    }
}

set ::tlsdir [file join $::file_tmpdir tls-certs]
tls_make_certs $::tlsdir

proc tls_opts {auth} {
    list tls-cert-file $::tlsdir/server.crt tls-key-file $::tlsdir/server.key \
        tls-ca-cert-file $::tlsdir/ca.crt tls-auth-clients $auth
}

# redis-cli over TLS; with_cert 0 leaves the client certificate out.
# Returns its output (errors included), never raises.
proc tls_cli {port with_cert args} {
    set cmd [list redis-cli -h 127.0.0.1 -p $port --tls --cacert $::tlsdir/ca.crt]
    if {$with_cert} { lappend cmd --cert $::tlsdir/client.crt --key $::tlsdir/client.key }
    catch {exec {*}$cmd {*}$args 2>@1} out
    return [string trim $out]
}

# A blocking Tcl TLS socket with the client certificate.
proc tls_sock {port} {
    set s [tls::socket -cafile $::tlsdir/ca.crt -certfile $::tlsdir/client.crt \
        -keyfile $::tlsdir/client.key -require 1 127.0.0.1 $port]
    fconfigure $s -translation binary -buffering none
    tls::handshake $s
    return $s
}

proc tls_gets {s} {
    set line [gets $s]
    return [string trimright $line "\r"]
}

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
        set s [tls_sock $tmport]
        puts -nonewline $s "set mckey 5 0 3\r\nabc\r\n"
        assert_equal [tls_gets $s] STORED
        puts -nonewline $s "get mckey\r\n"
        assert_equal [tls_gets $s] "VALUE mckey 5 3"
        assert_equal [tls_gets $s] abc
        assert_equal [tls_gets $s] END
        puts -nonewline $s "delete mckey\r\nget mckey\r\n"
        assert_equal [tls_gets $s] DELETED
        assert_equal [tls_gets $s] END
        close $s
    }

    test {a 1000-command pipeline over TLS gets every reply, in order} {
        set s [tls_sock $tport]
        set buf ""
        for {set i 0} {$i < 1000} {incr i} {
            # sizes vary so requests straddle TLS records and read buffers
            set pad [string repeat x [expr {($i * 37) % 61}]]
            append buf [resp_encode [list ECHO "$i-$pad"]]
        }
        puts -nonewline $s $buf
        set bad 0
        for {set i 0} {$i < 1000} {incr i} {
            set pad [string repeat x [expr {($i * 37) % 61}]]
            set want "$i-$pad"
            set hdr [tls_gets $s]
            set body [tls_gets $s]
            if {$hdr ne "\$[string length $want]" || $body ne $want} {
                set bad 1
                break
            }
        }
        close $s
        assert_equal $bad 0 "reply $i was '$hdr' '$body'"
    }

    test {session resumption with a client certificate (TLS 1.2 session ID, 1.3 ticket)} {
        foreach v {-tls1_2 -tls1_3} {
            set sess [file join $::file_tmpdir node-sess$v.pem]
            file delete $sess
            # -ign_eof: the PING reply is read before the node closes after
            # QUIT; s_client exits 1 then (no close_notify), so its output
            # alone is checked
            set base [list timeout 20 openssl s_client $v -connect 127.0.0.1:$tport \
                -CAfile $::tlsdir/ca.crt -cert $::tlsdir/client.crt -key $::tlsdir/client.key -ign_eof]
            catch {exec -ignorestderr {*}$base -sess_out $sess << "PING\r\nQUIT\r\n" 2>@1} out
            assert_match "*+PONG*" $out
            assert_match "*New, TLSv1.*" $out
            catch {exec -ignorestderr {*}$base -sess_in $sess << "PING\r\nQUIT\r\n" 2>@1} out
            assert_match {*Reused, TLSv1.[23]*} $out
            assert_match "*+PONG*" $out
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
