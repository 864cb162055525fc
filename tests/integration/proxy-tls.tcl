# tests/integration/proxy-tls.tcl: shoal-proxy terminating TLS for clients
# (`tls: true` pools) in front of plain-text shoal-server nodes. Two
# throwaway CAs, each with server and client certificates, are made in the
# test's directory by tests/helpers/tlsutil.tcl (no key is committed).
# Checked: Memcached and RESP over TLS (Tcl's tls package, redis-cli --tls,
# python3 ssl), a multi-get and MGET split over two nodes, 1000 pipelined
# requests, 200 KB values crossing TLS records, a plain-text and a TLS pool
# over the same named servers sharing placement; plain text on a TLS port,
# a client that leaves mid-handshake and a refused client certificate are
# closed, counted in client_tls_errors, logged, and the proxy keeps serving;
# tls_auth_clients yes/optional; session resumption with a client
# certificate; a SIGHUP with new certificate files; -t with a missing or
# mismatched file names it and its line.

source [file join [file dirname $::test_file_path] proxy-common.inc]
source [file join $::testsdir helpers tlsutil.tcl]

set ::ptls [file join $::file_tmpdir proxy-tls-certs]
tls_make_certs $::ptls
tls_make_certs $::ptls second-

# A RESP or Memcached client over TLS: -tls options of the first CA
# (client certificate unless cert is 0) or of the CA files named prefix*.
proc ptls_client {kind port {cert 1} {prefix {}}} {
    return [${kind}_client 127.0.0.1 $port -tls [tls_client_opts $::ptls $cert $prefix]]
}

proc ptls_cli {port with_cert args} { tls_redis_cli $::ptls $port $with_cert {*}$args }

# shoal-server nodes with the Memcached port at port + 100 (protocol both).
proc ::harness::ptls_node_argv {port dir} {
    return [::harness::redis_argv $::server_binary {} [list --mc-port [expr {$port + 100}]] $port $dir]
}

proc ptls_nodes {n} {
    set nodes {}
    for {set i 0} {$i < $n} {incr i} {
        set spec [dict create binary $::server_binary name ptls-node \
            ready "Ready to accept connections" argv_fn ::harness::ptls_node_argv]
        set node [::harness::launch $spec]
        dict set node addr 127.0.0.1:[dict get $node port]
        lappend nodes $node
    }
    return $nodes
}

# A `protocol: both` pool; tls lists extra keys (tls: true ...).
proc ptls_pool {name listen rlisten nodes tls} {
    set y "$name:\n  listen: $listen\n  protocol: both\n  redis_listen: $rlisten\n  hash: md5\n"
    foreach {k v} $tls { append y "  $k: $v\n" }
    append y "  servers:\n"
    set i 0
    foreach n $nodes { append y "   - [dict get $n addr]:1 node[incr i]\n" }
    return $y
}

proc ptls_tls_keys {auth {prefix {}}} {
    return [list tls true tls_cert_file $::ptls/${prefix}server.crt \
        tls_key_file $::ptls/${prefix}server.key tls_ca_cert_file $::ptls/${prefix}ca.crt \
        tls_auth_clients $auth]
}

# Python's ssl: a real ClientHello, then the connection is closed as soon
# as the server's first flight arrives (mid-handshake). Prints its size.
set ::ptls_half_handshake {
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out)
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
s.sendall(out.read())
print(1 if s.recv(5) else 0)
s.close()
}

# The pool's stat, read from the stats port.
proc ptls_stat {pool field} { return [proxy_stat $pool $field] }

# The stat once it stops moving (two reads 300 ms apart, over the 200 ms
# snapshot period, agree).
proc ptls_settled_stat {pool field} {
    set last [ptls_stat $pool $field]
    for {set i 0} {$i < 50} {incr i} {
        after 300
        set now [ptls_stat $pool $field]
        if {$now == $last} { return $now }
        set last $now
    }
    fail "$pool $field keeps moving"
}

set nodes [ptls_nodes 2]
set tmc [find_available_port]
set tresp [find_available_port]
try {
    set yaml [ptls_pool plain @LISTEN@ @LISTEN2@ $nodes {}]
    append yaml [ptls_pool secure 127.0.0.1:$tmc 127.0.0.1:$tresp $nodes [ptls_tls_keys optional]]
    start_proxy $yaml {
        # a plain RESP client of the plain pool (srv's own client is Memcached)
        set ::pr [resp_client 127.0.0.1 [srv listen2]]

        test {Memcached over TLS: set, get, delete; same placement as the plain pool} {
            set m [ptls_client mc $tmc]
            assert_equal [$m cmd "set tk1 5 0 3\r\nabc"] STORED
            $m sendline "get tk1"
            assert_equal [$m read_until END] "VALUE tk1 5 3\r\nabc\r\nEND\r\n"
            # the plain pool (same server names) finds it on the same node
            mc sendline "get tk1"
            assert_equal [mc read_until END] "VALUE tk1 5 3\r\nabc\r\nEND\r\n"
            assert_equal [$m cmd "route tk1"] [mc cmd "route tk1"]
            assert_equal [$m cmd "delete tk1"] DELETED
            mc sendline "get tk1"
            assert_equal [mc read_until END] "END\r\n"
            $m close
        }

        test {Memcached over TLS: a multi-get split over both nodes, merged in key order} {
            set m [ptls_client mc $tmc]
            set keys {}
            set owners {}
            for {set i 0} {$i < 40} {incr i} {
                set k "mk$i"
                assert_equal [$m cmd "set $k 0 0 [string length v$i]\r\nv$i"] STORED
                lappend keys $k
                dict set owners [lindex [$m cmd "route $k"] 3] 1
            }
            assert_equal [dict size $owners] 2
            set before [ptls_stat secure fragments]
            $m sendline "get [join $keys]"
            set want ""
            for {set i 0} {$i < 40} {incr i} { append want "VALUE mk$i 0 [string length v$i]\r\nv$i\r\n" }
            assert_equal [$m read_until END] "${want}END\r\n"
            wait_for_condition 50 20 {[ptls_stat secure fragments] > $before} else {
                fail "the multi-get was not split"
            }
            $m close
        }

        test {RESP over TLS: SET, GET, MGET over both nodes, DEL summed} {
            set c [ptls_client resp $tresp]
            assert_equal [$c ping] PONG
            set want {}
            set args {}
            set owners {}
            for {set i 0} {$i < 30} {incr i} {
                assert_equal [$c set rk$i val$i] OK
                lappend args rk$i
                lappend want val$i
                dict set owners [lindex [$c proxy route rk$i] 1] 1
            }
            assert_equal [dict size $owners] 2
            assert_equal [$c mget {*}$args nokey] [concat $want {{}}]
            assert_equal [$c del {*}$args] 30
            $c close
        }

        test {1000 pipelined requests over TLS, both protocols, every reply in order} {
            set c [ptls_client resp $tresp]
            set buf ""
            for {set i 0} {$i < 1000} {incr i} {
                # sizes vary so requests straddle TLS records and read buffers
                set pad [string repeat x [expr {($i * 37) % 61}]]
                append buf [resp_encode [list SET pk$i "$i-$pad"]] [resp_encode [list GET pk$i]]
            }
            $c raw $buf
            set bad {}
            for {set i 0} {$i < 1000 && $bad eq {}} {incr i} {
                set pad [string repeat x [expr {($i * 37) % 61}]]
                set ok [$c read_raw]
                set got [$c read_raw]
                set v "$i-$pad"
                if {$ok ne "+OK\r\n" || $got ne "\$[string length $v]\r\n$v\r\n"} {
                    set bad "reply $i: [resp_escape $ok] [resp_escape $got]"
                }
            }
            assert_equal $bad {}
            $c close

            set m [ptls_client mc $tmc]
            set buf ""
            for {set i 0} {$i < 1000} {incr i} {
                set v [string repeat y [expr {1 + ($i * 53) % 97}]]
                append buf "set mp$i 0 0 [string length $v]\r\n$v\r\nget mp$i\r\n"
            }
            $m send $buf
            set bad {}
            for {set i 0} {$i < 1000 && $bad eq {}} {incr i} {
                set v [string repeat y [expr {1 + ($i * 53) % 97}]]
                set s [$m read_line]
                set g [$m read_until END]
                if {$s ne "STORED" || $g ne "VALUE mp$i 0 [string length $v]\r\n$v\r\nEND\r\n"} {
                    set bad "reply $i: $s [resp_escape $g]"
                }
            }
            assert_equal $bad {}
            $m close
        }

        test {200 KB values over TLS (many records each way), both protocols} {
            set big {}
            for {set i 0} {$i < 200 * 1024 / 8} {incr i} { append big [format %08x [expr {$i * 2654435761 % 4294967296}]] }
            set c [ptls_client resp $tresp]
            assert_equal [$c set bigr $big] OK
            assert_equal [$c get bigr] $big
            $c close
            # written over TLS, read over plain text: the bytes arrived whole
            assert_equal [$::pr get bigr] $big
            set m [ptls_client mc $tmc]
            $m send "set bigm 0 0 [string length $big]\r\n$big\r\n"
            assert_equal [$m read_line] STORED
            $m sendline "get bigm"
            assert_equal [$m read_until END] "VALUE bigm 0 [string length $big]\r\n$big\r\nEND\r\n"
            $m close
            mc sendline "get bigm"
            assert_equal [mc read_until END] "VALUE bigm 0 [string length $big]\r\n$big\r\nEND\r\n"
        }

        test {redis-cli --tls: PING, SET, GET, with and without a certificate (optional)} {
            assert_equal [ptls_cli $tresp 0 ping] PONG
            assert_equal [ptls_cli $tresp 1 set clikey hello] OK
            assert_equal [ptls_cli $tresp 0 get clikey] hello
            assert_equal [$::pr get clikey] hello
        }

        test {session resumption with a client certificate (TLS 1.2 session ID, 1.3 ticket)} {
            foreach v {-tls1_2 -tls1_3} {
                lassign [tls_resume $::ptls $tresp $v [file join $::file_tmpdir sess$v.pem]] \
                    rc1 first rc2 second
                # the proxy ends the session cleanly after QUIT: s_client exits 0
                assert_equal [list $rc1 $rc2] {0 0} "$first\n$second"
                assert_match "*+PONG*" $first
                assert_match {*Reused, TLSv1.[23]*+PONG*} $second
            }
        }

        test {python3 redis client with ssl=True} {
            set py {
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), ssl=True, ssl_ca_certs=sys.argv[2],
                ssl_certfile=sys.argv[3], ssl_keyfile=sys.argv[4])
r.set("pykey", b"x" * 70000)
p = r.pipeline(transaction=False)
for i in range(200): p.set("py%d" % i, i)
p.mget(["py%d" % i for i in range(200)])
res = p.execute()
assert res[-1] == [str(i).encode() for i in range(200)], res[-1][:5]
print(len(r.get("pykey")))
}
            set out [exec /usr/bin/python3 -c $py $tresp $::ptls/ca.crt $::ptls/client.crt $::ptls/client.key]
            assert_equal $out 70000
        }

        test {memcached `stats` over TLS reports client_tls_errors} {
            set m [ptls_client mc $tmc]
            $m sendline stats
            assert_match "*STAT secure:client_tls_errors *" [$m read_until END]
            $m close
        }

        test {plain text on a TLS port is closed, counted, logged; the proxy keeps serving} {
            set before [ptls_stat secure client_tls_errors]
            set from [log_line_count]
            foreach port [list $tresp $tmc] req [list "*1\r\n\$4\r\nPING\r\n" "version\r\n"] {
                set s [socket 127.0.0.1 $port]
                fconfigure $s -translation binary -buffering none
                puts -nonewline $s $req
                set got [read $s]
                close $s
                assert {![string match *PONG* $got] && ![string match *VERSION* $got]}
            }
            proxy_wait_stat secure client_tls_errors [expr {$before + 2}]
            wait_for_log_line "*TLS handshake with client 127.0.0.1:* failed*" -from $from
            assert_equal [ptls_cli $tresp 0 ping] PONG
            assert_equal [$::pr ping] PONG
        }

        test {a client that leaves mid-handshake is closed and counted; a bare connect is an eof} {
            set before [ptls_stat secure client_tls_errors]
            set eof [ptls_stat secure client_eof]
            set conns [ptls_stat secure client_connections]
            assert_equal [exec /usr/bin/python3 -c $::ptls_half_handshake $tresp] 1
            # half a ClientHello record, then gone
            set s [socket 127.0.0.1 $tmc]
            fconfigure $s -translation binary -buffering none
            puts -nonewline $s [binary format H* 160301020001]
            close $s
            proxy_wait_stat secure client_tls_errors [expr {$before + 2}]
            # connected and closed without a byte: not a TLS error
            close [socket 127.0.0.1 $tresp]
            proxy_wait_stat secure client_eof [expr {$eof + 1}]
            assert_equal [ptls_stat secure client_tls_errors] [expr {$before + 2}]
            proxy_wait_stat secure client_connections $conns
            assert_equal [ptls_cli $tresp 1 ping] PONG
        }

        test {SIGHUP: tls_auth_clients yes and a new certificate for new connections, old ones kept} {
            set kept [ptls_client resp $tresp]
            assert_equal [$kept set keep 1] OK
            set yaml [ptls_pool plain 127.0.0.1:[srv port] 127.0.0.1:[srv listen2] $nodes {}]
            append yaml [ptls_pool secure 127.0.0.1:$tmc 127.0.0.1:$tresp $nodes \
                [ptls_tls_keys yes second-]]
            write_file [srv conf] $yaml
            set from [log_line_count]
            exec kill -HUP [srv pid]
            wait_for_log_line "*configuration reloaded*" -from $from
            # new connections get the second CA's server certificate
            set second [list redis-cli -h 127.0.0.1 -p $tresp --tls --cacert $::ptls/second-ca.crt \
                --cert $::ptls/second-client.crt --key $::ptls/second-client.key]
            wait_for_condition 100 50 {
                [catch {exec timeout 20 {*}$second ping 2>@1} out] == 0 && $out eq "PONG"
            } else {
                fail "the new certificate is not served: $out"
            }
            # the first CA no longer verifies the server
            assert_not_equal [ptls_cli $tresp 1 ping] PONG
            # the connection made before the reload still works
            assert_equal [$kept get keep] 1
            $kept close
            # yes: a client without a certificate is refused, logged, counted
            # (from a settled count: the tries above failed a varying number
            # of times while the workers switched)
            set before [ptls_settled_stat secure client_tls_errors]
            set from [log_line_count]
            set out {}
            catch {exec timeout 20 redis-cli -h 127.0.0.1 -p $tresp --tls \
                --cacert $::ptls/second-ca.crt ping 2>@1} out
            assert_not_equal [string trim $out] PONG
            proxy_wait_stat secure client_tls_errors [expr {$before + 1}]
            wait_for_log_line "*TLS handshake with client*failed*certificate*" -from $from
            # a certificate from another CA is refused too
            set out {}
            catch {exec timeout 20 redis-cli -h 127.0.0.1 -p $tresp --tls \
                --cacert $::ptls/second-ca.crt --cert $::ptls/client.crt --key $::ptls/client.key \
                ping 2>@1} out
            assert_not_equal [string trim $out] PONG
            proxy_wait_stat secure client_tls_errors [expr {$before + 2}]
            # with one: served
            assert_equal [exec timeout 20 {*}$second get keep] 1
            # Memcached, no certificate: refused during the handshake or, in
            # TLS 1.3, on first use (the client finishes before the server
            # checks its certificate)
            set rc [catch {
                set m [ptls_client mc $tmc 0 second-]
                $m cmd version
            } out]
            assert_equal $rc 1 $out
            if {[info exists m]} { catch {$m close} }
            proxy_wait_stat secure client_tls_errors [expr {$before + 3}]
            assert_equal [$::pr ping] PONG
        }
        $::pr close
    } {-v verb}
} finally {
    proxy_stop_nodes $nodes
}

proc ptls_test_conf {text} {
    set path [file join $::file_tmpdir conf-[incr ::ptls_seq].yml]
    write_file $path $text
    set rc [catch {exec [proxy_binary] -t -c $path 2>@1} out]
    return [list $rc $out]
}

test {-t: a missing or bad TLS file is refused with the file, the line and why} {
    set n [list [dict create addr 127.0.0.1:7001]]
    set missing $::ptls/no-such.pem
    foreach {keys want} [list \
        [list tls true tls_cert_file $missing tls_key_file $::ptls/server.key] \
            "*:7: pool 'p': \"tls_cert_file\" cannot be read: '$missing': No such file*" \
        [list tls true tls_cert_file $::ptls/server.crt tls_key_file $missing] \
            "*:8: pool 'p': \"tls_key_file\" cannot be read: '$missing'*" \
        [list tls true tls_cert_file $::ptls/server.crt tls_key_file $::ptls/server.key \
            tls_ca_cert_file $missing tls_auth_clients yes] \
            "*:9: pool 'p': \"tls_ca_cert_file\" cannot be read: '$missing'*" \
        [list tls true tls_cert_file $::ptls/server.crt tls_key_file $::ptls/client.key] \
            "*:6: pool 'p': TLS: Failed to load tls_key_file '*client.key': *mismatch*" \
        [list tls true tls_cert_file $::ptls/san.ext tls_key_file $::ptls/server.key] \
            "*:6: pool 'p': TLS: Failed to load tls_cert_file '*san.ext': *" \
        [list tls true tls_cert_file $::ptls/server.crt tls_key_file $::ptls/server.key \
            tls_auth_clients yes] \
            "*:9: pool 'p': \"tls_auth_clients: yes\" needs \"tls_ca_cert_file\"*" \
        [list tls_cert_file $::ptls/server.crt] "*:6: *\"tls_cert_file\" needs \"tls: true\"*" \
    ] {
        lassign [ptls_test_conf [ptls_pool p 127.0.0.1:1 127.0.0.1:2 $n $keys]] rc out
        assert_equal $rc 1 $out
        assert_match "*syntax is invalid*" $out
        assert_match $want $out
    }
    lassign [ptls_test_conf [ptls_pool p 127.0.0.1:1 127.0.0.1:2 $n [ptls_tls_keys yes]]] rc out
    assert_equal $rc 0 $out
}
