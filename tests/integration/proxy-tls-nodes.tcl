# tests/integration/proxy-tls-nodes.tcl: shoal-proxy speaking TLS to its
# nodes (`server_tls: true` pools) while its clients speak plain text.
# Throwaway CAs and a self-signed certificate are made in the test's
# directory by tests/helpers/tlsutil.tcl (no key is committed).
#
# Checked: shoal-server nodes on their TLS ports (RESP and Memcached of a
# `protocol: both` pool): SET/GET/MGET and a multi-get split over both
# nodes, each key on the node PROXY ROUTE names (read back over the node's
# plain port), joined gets under many clients (shoal-bench --verify), a
# blocking BLPOP on a dedicated connection, HELLO 3 (RESP3 connections),
# the redis_auth + redis_db prelude, a connection the node kills comes
# back resuming its TLS session; Debian's redis-server (--tls-port) and
# memcached (-Z) give the same bytes through the proxy as directly over
# TLS.  Failures: an untrusted CA, a server_tls_server_name that does not
# match, a plain-text node, a node that wants a client certificate (none
# given; then given), a self-signed node with and without
# server_tls_verify, a node that never answers the handshake (pool timeout,
# then tls_handshake_timeout alone): each request gets an error naming the
# reason, server_tls_errors counts, a TLS failure ejects like any other,
# the proxy keeps serving; a node killed and restarted is reconnected over
# TLS.  tls_handshake_timeout toward clients: a silent TCP client of a
# `tls: true` pool is closed and counted, a client that finished its
# handshake and idles is not.  -t refuses each bad key, file and
# combination with its line; a SIGHUP to a bad file keeps the running
# configuration.
#
# Reloads and the rest: nodes restarted with certificates of a second CA
# are refused (verify error) until the file trusts that CA and a SIGHUP
# loads it, then served, to a client connected before as to a new one; a
# client blocked in BLPOP across a SIGHUP gets its reply.  A BLPOP (5 s, and
# 0) to a node that accepts and never answers the handshake gets an error
# within the pool timeout, or tls_handshake_timeout, while other keys are
# served.  Debian's memcached -Z with ssl_ca_cert and ssl_verify_mode 2 and
# 3 refuses the proxy without server_tls_cert_file ("certificate required"
# in the reply, counted) and serves it with one.  An IPv6 node, given as
# "::1:port:weight" (twemproxy's form; "[::1]:port" does not resolve), with
# a certificate for IP ::1 only, is served; one whose certificate names
# 127.0.0.1 and localhost but not ::1 is refused (IP address mismatch).
# Skipped, with the reason in the [ok] line, without IPv6 on loopback.

source [file join [file dirname $::test_file_path] proxy-common.inc]
source [file join $::testsdir helpers tlsutil.tcl]

set ::ptn [file join $::file_tmpdir proxy-tls-nodes-certs]
tls_make_certs $::ptn
tls_make_certs $::ptn second-
tls_make_self_signed $::ptn self

# shoal-server with RESP on port (plain) and tport (TLS), Memcached on
# port + 100 (plain) and tport + 100 (TLS), so a `protocol: both` pool
# over tport finds Memcached at tport + 100.
proc ::harness::ptn_node_argv {tport extra port dir} {
    set opts [list --mc-port [expr {$port + 100}] --tls-port $tport \
        --tls-mc-port [expr {$tport + 100}] {*}$extra]
    return [::harness::redis_argv $::server_binary {} $opts $port $dir]
}

# A shoal-server node presenting the certificate named cert (server,
# second-server, self), wanting client certificates of the first CA when
# auth is yes.  addr is its TLS address (what the proxy is given).
proc ptn_node {{cert server} {auth no} {extra {}}} {
    set tport [find_available_port]
    set tls [list --tls-cert-file $::ptn/$cert.crt --tls-key-file $::ptn/$cert.key \
        --tls-ca-cert-file $::ptn/ca.crt --tls-auth-clients $auth {*}$extra]
    set spec [dict create binary $::server_binary name ptn-node \
        ready "Ready to accept connections" argv_fn [list ::harness::ptn_node_argv $tport $tls]]
    set node [::harness::launch $spec]
    dict set node tport $tport
    dict set node addr 127.0.0.1:$tport
    dict set node kind shoal-resp
    dict set node data_port [dict get $node port]
    return $node
}

# Start a node stopped by ::harness::stop_pid again, on the same ports.
proc ptn_restart {node} {
    dict set node pid [::harness::spawn [dict get $node argv] [dict get $node stderr]]
    wait_for_condition 100 50 {![catch {close [socket 127.0.0.1 [dict get $node tport]]}]} else {
        fail "the node did not come back"
    }
    return $node
}

# A pool: name, listen, the YAML lines of keys (k v ...), servers (nodes,
# each "name addr").
proc ptn_pool {name listen keys servers} {
    set y "$name:\n  listen: $listen\n"
    foreach {k v} $keys { append y "  $k: $v\n" }
    append y "  servers:\n"
    foreach {n addr} $servers { append y "   - $addr:1 $n\n" }
    return $y
}

proc ptn_tls {args} {
    return [list server_tls true server_tls_ca_cert_file $::ptn/ca.crt {*}$args]
}

proc r_route {c key} { return [lindex [$c proxy route $key] 0] }

# A key of prefix that the proxy routes to addr.
proc key_on {c prefix addr} {
    for {set i 0} {$i < 500} {incr i} {
        if {[r_route $c $prefix$i] eq $addr} { return $prefix$i }
    }
    fail "no $prefix key on $addr"
}

proc ms_since {t0} { return [expr {[clock milliseconds] - $t0}] }

# ------------------------------------------------- shoal-server nodes ---

set nodes [list [ptn_node] [ptn_node]]
set authnode [ptn_node server no {--requirepass s3cret}]
try {
    set servers [list node1 [dict get [lindex $nodes 0] addr] node2 [dict get [lindex $nodes 1] addr]]
    set yaml [ptn_pool both @LISTEN@ [ptn_tls protocol both redis_listen @LISTEN2@ hash md5 \
        timeout 5000] $servers]
    set ::ptn_auth_port [find_available_port]
    append yaml [ptn_pool authed 127.0.0.1:$::ptn_auth_port [ptn_tls redis true redis_auth s3cret \
        redis_db 2] [list authnode [dict get $authnode addr]]]
    start_proxy $yaml {
        set r [resp_client 127.0.0.1 [srv listen2]]

        test {RESP over TLS node connections: SET, GET, MGET split over both nodes} {
            set direct [dict create]
            foreach n $nodes { dict set direct [dict get $n addr] [node_client $n] }
            set keys {}
            set want {}
            set owners {}
            for {set i 0} {$i < 40} {incr i} {
                assert_equal [$r set rk$i val$i] OK
                lappend keys rk$i
                lappend want val$i
                set owner [r_route $r rk$i]
                dict set owners $owner 1
                # stored on the node the proxy names, read over its plain port
                dict for {addr c} $direct {
                    assert_equal [$c get rk$i] [expr {$addr eq $owner ? "val$i" : ""}]
                }
            }
            assert_equal [lsort [dict keys $owners]] [lsort [dict keys $direct]]
            assert_equal [$r mget {*}$keys nokey] [concat $want {{}}]
            assert_equal [$r del {*}$keys] 40
            dict for {addr c} $direct { $c close }
            # (the stats are the workers' snapshots, a tick behind)
            foreach n {node1 node2} {
                proxy_wait_stat both $n server_connections 1
                assert_equal [proxy_stat both $n server_tls_errors] 0
            }
        }

        test {Memcached over TLS node connections: a multi-get split over both nodes} {
            set keys {}
            set owners {}
            for {set i 0} {$i < 40} {incr i} {
                assert_equal [mc cmd "set mk$i 0 0 [string length v$i]\r\nv$i"] STORED
                lappend keys mk$i
                dict set owners [lindex [mc cmd "route mk$i"] 2] 1
            }
            assert_equal [dict size $owners] 2
            set before [proxy_stat both fragments]
            mc sendline "get [join $keys]"
            set want ""
            for {set i 0} {$i < 40} {incr i} { append want "VALUE mk$i 0 [string length v$i]\r\nv$i\r\n" }
            assert_equal [mc read_until END] "${want}END\r\n"
            wait_for_condition 50 20 {[proxy_stat both fragments] > $before} else {
                fail "the multi-get was not split"
            }
        }

        test {joined gets over TLS node connections, many clients (shoal-bench --verify)} {
            set bench [file join [file dirname [file dirname $::server_binary]] bench shoal-bench]
            set out [exec $bench -p [srv port] --protocol memcache -t set,get --verify \
                -c 20 -P 8 -n 8000 -r 300 --multiget 4 -q 2>@1]
            assert_match "*errors 0*" $out
            assert {![string match "*mismatch*" $out]}
            wait_for_condition 50 50 {[proxy_stat both gets_joined] > 0} else {
                fail "no get was joined"
            }
        }

        test {BLPOP on a dedicated TLS connection: woken by a push, times out on its own} {
            set b [resp_client 127.0.0.1 [srv listen2] -deferred 1]
            $b blpop tq 5
            proxy_wait_stat both blocking_connections 1
            # the push goes over the shared connection; the BLPOP waits on its own
            after 100
            assert_equal [$r rpush tq hello] 1
            assert_equal [$b read] {tq hello}
            $b deferred 0
            set t0 [clock milliseconds]
            assert_equal [$b blpop tq 0.3] {}
            assert_range [ms_since $t0] 250 3000
            $b close
            proxy_wait_stat both blocking_connections 0
        }

        test {HELLO 3: RESP3 node connections over TLS pass RESP3 replies} {
            set c [resp_client 127.0.0.1 [srv listen2]]
            assert_equal [dict get [$c hello 3] proto] 3
            assert_equal [::harness::exchange $c [resp_encode {hset h3 f v}] 1] ":1\r\n"
            assert_equal [::harness::exchange $c [resp_encode {hgetall h3}] 1] \
                "%1\r\n\$1\r\nf\r\n\$1\r\nv\r\n"
            assert_equal [::harness::exchange $c [resp_encode {get nosuch}] 1] "_\r\n"
            $c close
            # RESP2 clients are untouched
            assert_equal [$r hgetall h3] {f v}
        }

        test {redis_auth and redis_db: the AUTH and SELECT prelude goes over TLS} {
            set c [resp_client 127.0.0.1 $::ptn_auth_port]
            assert_equal [$c auth s3cret] OK
            assert_equal [$c set ak hello] OK
            assert_equal [$c get ak] hello
            $c close
            set d [node_client $authnode]
            assert_equal [$d auth s3cret] OK
            assert_equal [$d get ak] {}
            assert_equal [$d select 2] OK
            assert_equal [$d get ak] hello
            $d close
            assert_equal [proxy_stat authed authnode server_tls_errors] 0
        }

        test {a connection the node kills is reopened over TLS, resuming its session} {
            set n1 [lindex $nodes 0]
            set k [key_on $r kill [dict get $n1 addr]]
            assert_equal [$r set $k before] OK
            set from [log_line_count]
            set d [node_client $n1]
            assert {[$d client kill type normal] >= 1}
            $d close
            # the proxy sees the close; the next request reconnects
            wait_for_log_line "*pool both: server [dict get $n1 addr]:1: Connection closed by server*" \
                -from $from
            assert_equal [$r get $k] before
            wait_for_log_line "*TLS session with server [dict get $n1 addr]: TLS*, resumed*" -from $from
        }

        test {SIGHUP to a file with a missing server_tls file keeps the running configuration} {
            set good [read_file_bytes [srv conf]]
            set from [log_line_count]
            write_file [srv conf] [string map [list $::ptn/ca.crt $::ptn/missing-ca.crt] $good]
            exec kill -HUP [srv pid]
            wait_for_log_line "*reload failed, keeping the running configuration*server_tls_ca_cert_file*cannot be read*" -from $from
            assert_equal [$r set hup 1] OK
            assert_equal [$r get hup] 1
            write_file [srv conf] $good
        }
        $r close
    } {-v verb}
} finally {
    proxy_stop_nodes $nodes
    proxy_stop_nodes [list $authnode]
}

# ------------------------------------ Debian's redis-server and memcached ---

proc ::harness::ptn_redis_argv {tport port dir} {
    return [::harness::redis_argv $::oracle_redis {} [list --save {} --appendonly no \
        --tls-port $tport --tls-cert-file $::ptn/server.crt --tls-key-file $::ptn/server.key \
        --tls-ca-cert-file $::ptn/ca.crt --tls-auth-clients no] $port $dir]
}

proc ::harness::ptn_memcached_argv {port dir} {
    return [::harness::memcached_argv $::oracle_memcached \
        [list -Z -o ssl_chain_cert=$::ptn/server.crt,ssl_key=$::ptn/server.key] $port $dir]
}

# Every command's raw reply, sent one after the other on client c.
proc ptn_resp_transcript {c cmds} {
    set out {}
    foreach cmd $cmds { append out [::harness::exchange $c [resp_encode $cmd] 1] }
    return $out
}

# Memcached: each request's bytes, and the reply's last line (END for
# retrievals, else the only line).
proc ptn_mc_transcript {c reqs} {
    set out {}
    foreach req $reqs {
        $c send $req
        if {[string match get* $req]} { append out [$c read_until END] } else { append out [$c read_line] "\n" }
    }
    return $out
}

set ::ptn_big [string repeat "0123456789abcdef" 8192]
set ::ptn_resp_cmds [list {set s hello} {get s} {append s !} {get s} {incr n} {incrby n 41} \
    {incr s} {hset h f1 v1 f2 v2} {hgetall h} {lpush l a b c} {lrange l 0 -1} {get l} \
    {sadd st x y} {scard st} {mget s n nosuch} {exists s h nosuch} [list set big $::ptn_big] \
    {get big} {strlen big} {del s n h l st big} {get s}]
set ::ptn_mc_reqs [list "set d1 5 0 3\r\nabc\r\n" "get d1\r\n" "add d1 0 0 1\r\nx\r\n" \
    "replace d1 0 0 2\r\nxy\r\n" "append d1 0 0 1\r\nz\r\n" "prepend d1 0 0 1\r\nw\r\n" \
    "get d1 d2\r\n" "set n 0 0 1\r\n5\r\n" "incr n 10\r\n" "decr n 20\r\n" "incr d1 1\r\n" \
    "set big 0 0 [string length $::ptn_big]\r\n$::ptn_big\r\n" "get big\r\n" "touch d1 100\r\n" \
    "delete d1\r\n" "delete d1\r\n" "delete n\r\n" "delete big\r\n" "get d1\r\n"]

test {redis-server --tls-port: the same commands give the same bytes through the proxy as directly} {
    set tport [find_available_port]
    set spec [dict create binary $::oracle_redis name ptn-redis ready "Ready to accept connections" \
        argv_fn [list ::harness::ptn_redis_argv $tport]]
    set node [::harness::launch $spec]
    try {
        start_proxy [ptn_pool rr @LISTEN@ [ptn_tls redis true] [list redis1 127.0.0.1:$tport]] {
            set direct [resp_client 127.0.0.1 $tport -tls [tls_client_opts $::ptn 0]]
            set theirs [ptn_resp_transcript $direct $::ptn_resp_cmds]
            set mine [ptn_resp_transcript r $::ptn_resp_cmds]
            $direct close
            assert_match "*+OK*" $mine
            assert_equal [resp_escape $mine] [resp_escape $theirs]
            proxy_wait_stat rr redis1 responses [llength $::ptn_resp_cmds]
            assert_equal [proxy_stat rr redis1 server_tls_errors] 0
        }
    } finally {
        ::harness::finish $node
    }
}

test {memcached -Z: the same requests give the same bytes through the proxy as directly} {
    set spec [dict create binary $::oracle_memcached name memcached ready {} \
        argv_fn ::harness::ptn_memcached_argv]
    set node [::harness::launch $spec]
    set port [dict get $node port]
    try {
        start_proxy [ptn_pool mm @LISTEN@ [ptn_tls] [list mc1 127.0.0.1:$port]] {
            set direct [mc_client 127.0.0.1 $port -tls [tls_client_opts $::ptn 0]]
            set theirs [ptn_mc_transcript $direct $::ptn_mc_reqs]
            set mine [ptn_mc_transcript mc $::ptn_mc_reqs]
            $direct close
            assert_match "*STORED*VALUE d1*" $mine
            assert_equal [resp_escape $mine] [resp_escape $theirs]
            assert_equal [proxy_stat mm mc1 server_tls_errors] 0
        }
    } finally {
        ::harness::finish $node
    }
}

# ------------------------------------------------------------- failures ---

# A TCP listener that accepts and never answers (a node stuck before TLS).
proc ptn_mute_accept {fd host port} { lappend ::ptn_mute_fds $fd }

# Send one RESP command on a fresh connection to port; the reply or error.
proc ptn_try {port args} {
    set c [resp_client 127.0.0.1 $port]
    catch {$c {*}$args} out
    $c close
    return $out
}

set good [ptn_node]
set other_ca [ptn_node second-server]
set selfsigned [ptn_node self]
set wants_cert [ptn_node server yes]
set mport [find_available_port]
set mute [socket -server ptn_mute_accept -myaddr 127.0.0.1 $mport]
try {
    set plain_addr 127.0.0.1:[dict get $good port]
    set pools {
        ok {}
        badca {server_tls_ca_cert_file $::ptn/second-ca.crt auto_eject_hosts true
               server_failure_limit 2 server_retry_timeout 60000}
        badname {server_tls_server_name wrong.example}
        goodname {server_tls_server_name localhost}
        plain {}
        nocert {}
        withcert {server_tls_cert_file $::ptn/client.crt server_tls_key_file $::ptn/client.key}
        selfverify {}
        selfnoverify {server_tls_verify false}
        mutetimeout {timeout 300}
        mutehs {tls_handshake_timeout 300}
    }
    set target [dict create ok [dict get $good addr] badca [dict get $good addr] \
        badname [dict get $good addr] goodname [dict get $good addr] plain $plain_addr \
        nocert [dict get $wants_cert addr] withcert [dict get $wants_cert addr] \
        selfverify [dict get $selfsigned addr] selfnoverify [dict get $selfsigned addr] \
        mutetimeout 127.0.0.1:$mport mutehs 127.0.0.1:$mport]
    set yaml {}
    set ports [dict create]
    dict for {name keys} $pools {
        set port [expr {$yaml eq {} ? "@LISTEN@" : [find_available_port]}]
        set keys [subst $keys]
        if {[dict exists $keys server_tls_ca_cert_file]} {
            set kv [list server_tls true {*}$keys]
        } else {
            set kv [ptn_tls {*}$keys]
        }
        append yaml [ptn_pool $name [expr {$port eq "@LISTEN@" ? $port : "127.0.0.1:$port"}] \
            [list redis true {*}$kv] [list n [dict get $target $name]]]
        dict set ports $name $port
    }
    start_proxy $yaml {
        dict set ports ok [srv port]
        set warn [read_file_bytes [srv stdout]]

        test {server_tls_verify false is warned about at load} {
            assert_match "*pool selfnoverify: server_tls_verify is false*encrypted but not authenticated*" $warn
        }

        test {a node whose CA is not trusted: certificate verify failed, counted, ejected like any failure} {
            set port [dict get $ports badca]
            set out [ptn_try $port get k]
            assert_match "*TLS handshake: certificate verify failed (*certificate*)*" $out
            proxy_wait_stat badca n server_tls_errors 1
            assert_match "*certificate verify failed*" [ptn_try $port get k]
            proxy_wait_stat badca n server_tls_errors 2
            # server_failure_limit 2: ejected, the next request finds no server
            proxy_wait_stat badca server_ejects 1
            assert_match "*no server available*" [ptn_try $port get k]
            wait_for_log_line "*TLS handshake with server 127.0.0.1:* failed*certificate verify failed*"
        }

        test {server_tls_server_name: a name the certificate does not have is refused, one it has is served} {
            assert_match "*TLS handshake: certificate verify failed (hostname mismatch)*" \
                [ptn_try [dict get $ports badname] get k]
            proxy_wait_stat badname n server_tls_errors 1
            assert_equal [ptn_try [dict get $ports goodname] set k v] OK
            assert_equal [ptn_try [dict get $ports goodname] get k] v
            # the default name is the server's IP address, in the certificate's SAN
            assert_equal [ptn_try [dict get $ports ok] get k] v
        }

        test {a plain-text node behind server_tls: an error, and the proxy keeps serving} {
            set out [ptn_try [dict get $ports plain] get k]
            assert_match "*TLS handshake*" $out
            proxy_wait_stat plain n server_tls_errors 1
            assert_match "*TLS handshake*" [ptn_try [dict get $ports plain] set k x]
            assert_equal [ptn_try [dict get $ports ok] get k] v
            assert_equal [ptn_try [dict get $ports plain] ping] PONG
        }

        test {a node that wants a client certificate: refused without one, served with one} {
            set out [ptn_try [dict get $ports nocert] set ck 1]
            assert_match "*TLS *certificate required*" $out
            proxy_wait_stat nocert n server_tls_errors 1
            assert_equal [ptn_try [dict get $ports withcert] set ck 1] OK
            assert_equal [ptn_try [dict get $ports withcert] get ck] 1
            proxy_wait_stat withcert n responses 2
            assert_equal [proxy_stat withcert n server_tls_errors] 0
        }

        test {a self-signed node: refused when verifying, served with server_tls_verify false} {
            assert_match "*certificate verify failed (self-signed certificate)*" \
                [ptn_try [dict get $ports selfverify] get k]
            assert_equal [ptn_try [dict get $ports selfnoverify] set sk 2] OK
            assert_equal [ptn_try [dict get $ports selfnoverify] get sk] 2
        }

        test {a node that never answers the handshake: the pool timeout, else tls_handshake_timeout} {
            foreach pool {mutetimeout mutehs} {
                set t0 [clock milliseconds]
                set out [ptn_try [dict get $ports $pool] get k]
                assert_range [ms_since $t0] 250 3000
                assert_match "*timed out*" $out
            }
            # no pool timeout: the handshake's own deadline, a TLS error
            assert_match "*TLS handshake: handshake timed out*" [ptn_try [dict get $ports mutehs] get k]
            proxy_wait_stat mutehs n server_tls_errors 2
        }

        test {a node killed and restarted: requests fail meanwhile, then it is served over TLS again} {
            set port [dict get $ports ok]
            assert_equal [ptn_try $port set rk 1] OK
            ::harness::stop_pid [dict get $good pid]
            assert_match "*Connection*" [ptn_try $port get rk]
            set from [log_line_count]
            set good [ptn_restart $good]
            wait_for_condition 50 100 {[ptn_try $port set rk 2] eq "OK"} else {
                fail "the restarted node is not served"
            }
            assert_equal [ptn_try $port get rk] 2
            wait_for_log_line "*TLS session with server [dict get $good addr]: TLS*" -from $from
        }
    } {-v verb}
} finally {
    close $mute
    foreach fd [expr {[info exists ::ptn_mute_fds] ? $::ptn_mute_fds : {}}] { catch {close $fd} }
    proxy_stop_nodes [list $good $other_ca $selfsigned $wants_cert]
}

# ------------------------------------------ SIGHUP: node certificates of a new CA ---

# node restarted on its ports with the certificate named cert.
proc ptn_restart_with {node cert} {
    ::harness::stop_pid [dict get $node pid]
    dict set node argv [string map [list $::ptn/server.crt $::ptn/$cert.crt \
        $::ptn/server.key $::ptn/$cert.key] [dict get $node argv]]
    return [ptn_restart $node]
}

# A SIGHUP, and the log line that says the new configuration is served.
proc ptn_reload {} {
    set from [log_line_count]
    exec kill -HUP [srv pid]
    wait_for_log_line "*configuration reloaded*" -from $from
}

test {SIGHUP with node certificates of a new CA: the old trust refuses them, the reloaded one serves them} {
    set nodes [list [ptn_node] [ptn_node]]
    try {
        set servers [list n1 [dict get [lindex $nodes 0] addr] n2 [dict get [lindex $nodes 1] addr]]
        start_proxy [ptn_pool hup @LISTEN@ [ptn_tls redis true timeout 5000] $servers] {
            # r: connected before the certificates change and before the reload
            set keys {}
            foreach n $nodes { lappend keys [key_on r hup [dict get $n addr]] }
            foreach k $keys { assert_equal [r set $k first] OK }
            set i 0
            foreach n $nodes { lset nodes $i [ptn_restart_with $n second-server]; incr i }
            # the running context trusts the first CA only: each node refused, r still connected
            foreach k $keys n {n1 n2} {
                catch {r get $k} out
                assert_match "*TLS handshake: certificate verify failed (*)*" $out
                proxy_wait_stat hup $n server_tls_errors 1
            }
            assert_equal [r ping] PONG
            # trust the second CA, reload: new node connections use the new context
            set conf [read_file_bytes [srv conf]]
            write_file [srv conf] [string map [list $::ptn/ca.crt $::ptn/second-ca.crt] $conf]
            set from [log_line_count]
            ptn_reload
            foreach k $keys { assert_equal [r set $k second] OK }
            foreach k $keys { assert_equal [r get $k] second }
            set c [resp_client 127.0.0.1 [srv port]]
            assert_equal [$c mget {*}$keys] {second second}
            $c close
            # on the nodes (over their plain ports), and over TLS sessions made after the reload
            foreach n $nodes k $keys {
                set d [node_client $n]
                assert_equal [$d get $k] second
                $d close
                wait_for_log_line "*TLS session with server [dict get $n addr]: TLS*" -from $from
            }
            foreach n {n1 n2} { assert_equal [proxy_stat hup $n server_tls_errors] 0 }
        } {-v verb}
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {SIGHUP while a client waits in BLPOP on a TLS node connection: the client is served on} {
    set node [ptn_node]
    try {
        start_proxy [ptn_pool hup @LISTEN@ [ptn_tls redis true timeout 5000] \
            [list n1 [dict get $node addr]]] {
            set b [resp_client 127.0.0.1 [srv port] -deferred 1 -timeout 10]
            $b blpop hq 8
            proxy_wait_stat hup blocking_connections 1
            ptn_reload
            # r moved to the new pool: its push (a new TLS connection) wakes b's
            # BLPOP, still on its own connection of the old pool
            assert_equal [r rpush hq after-reload] 1
            set t0 [clock milliseconds]
            assert_equal [$b read] {hq after-reload}
            assert {[ms_since $t0] < 3000}
            $b deferred 0
            assert_equal [$b set hk 1] OK
            assert_equal [$b blpop hq 0.2] {}
            assert_equal [$b get hk] 1
            $b close
        } {-v verb}
    } finally {
        proxy_stop_nodes [list $node]
    }
}

# ------------------------------------ blocking commands, a node mute in TLS ---

test {BLPOP to a node that never finishes the TLS handshake: an error in time, other keys served} {
    set good [ptn_node]
    set mport [find_available_port]
    set mute [socket -server ptn_mute_accept -myaddr 127.0.0.1 $mport]
    set ::ptn_mute_fds {}
    try {
        set servers [list good [dict get $good addr] mute 127.0.0.1:$mport]
        set yaml [ptn_pool blkto @LISTEN@ [ptn_tls redis true timeout 500] $servers]
        set hsport [find_available_port]
        append yaml [ptn_pool blkhs 127.0.0.1:$hsport [ptn_tls redis true \
            tls_handshake_timeout 500] $servers]
        start_proxy $yaml {
            set kmute [key_on r bk 127.0.0.1:$mport]
            set kgood [key_on r bk [dict get $good addr]]
            # BLPOP kmute 5 waits for its handshake no longer than the pool timeout;
            # BLPOP kmute 0 (no pool timeout) no longer than tls_handshake_timeout
            foreach port [list [srv port] $hsport] pool {blkto blkhs} secs {5 0} {
                set b [resp_client 127.0.0.1 $port -deferred 1 -timeout 6]
                set c [resp_client 127.0.0.1 $port -timeout 6]
                set t0 [clock milliseconds]
                $b blpop $kmute $secs
                # the other keys are served meanwhile, before the handshake's 500 ms
                assert_equal [$c set $kgood v-$pool] OK
                assert_equal [$c get $kgood] v-$pool
                assert {[ms_since $t0] < 450}
                catch {$b read} out
                set waited [ms_since $t0]
                assert_range $waited 450 3000
                assert_match "*TLS handshake: handshake timed out*" $out
                # the client is not left holding: its next commands are answered
                $b deferred 0
                assert_equal [$b get $kgood] v-$pool
                assert_equal [$b ping] PONG
                $b close
                $c close
                proxy_wait_stat $pool mute server_tls_errors 1
                assert_equal [proxy_stat $pool good server_tls_errors] 0
            }
        } {-v verb}
    } finally {
        close $mute
        foreach fd $::ptn_mute_fds { catch {close $fd} }
        proxy_stop_nodes [list $good]
    }
}

# --------------------------- memcached -Z wanting client certificates ---

proc ::harness::ptn_mc_auth_argv {mode port dir} {
    return [::harness::memcached_argv $::oracle_memcached [list -Z -o \
        ssl_chain_cert=$::ptn/server.crt,ssl_key=$::ptn/server.key,ssl_ca_cert=$::ptn/ca.crt,ssl_verify_mode=$mode] \
        $port $dir]
}

test {memcached -Z with ssl_verify_mode 2 and 3: refused without server_tls_cert_file, served with one} {
    foreach mode {2 3} {
        set spec [dict create binary $::oracle_memcached name memcached ready {} \
            argv_fn [list ::harness::ptn_mc_auth_argv $mode]]
        set node [::harness::launch $spec]
        set addr 127.0.0.1:[dict get $node port]
        try {
            # the node itself refuses a client without a certificate
            set rc [catch {
                set direct [mc_client 127.0.0.1 [dict get $node port] -timeout 5 \
                    -tls [tls_client_opts $::ptn 0]]
                $direct cmd "version"
            } out]
            assert_equal $rc 1 $out
            if {[info exists direct]} { catch {$direct close} }
            set cport [find_available_port]
            set yaml [ptn_pool nocert @LISTEN@ [ptn_tls] [list mc1 $addr]]
            append yaml [ptn_pool withcert 127.0.0.1:$cport [ptn_tls \
                server_tls_cert_file $::ptn/client.crt server_tls_key_file $::ptn/client.key] \
                [list mc1 $addr]]
            start_proxy $yaml {
                set out [mc cmd "set ak 0 0 1\r\nx"]
                assert_match "SERVER_ERROR *TLS*certificate required*" $out
                proxy_wait_stat nocert mc1 server_tls_errors 1
                assert_match "SERVER_ERROR *TLS*certificate required*" [mc cmd "get ak"]
                proxy_wait_stat nocert mc1 server_tls_errors 2
                set m [mc_client 127.0.0.1 $cport -timeout 5]
                assert_equal [$m cmd "set ak 0 0 1\r\nx"] STORED
                $m sendline "get ak"
                assert_equal [$m read_until END] "VALUE ak 0 1\r\nx\r\nEND\r\n"
                $m close
                proxy_wait_stat withcert mc1 responses 2
                assert_equal [proxy_stat withcert mc1 server_tls_errors] 0
                wait_for_log_line "*pool nocert: server $addr:1: TLS *certificate required*"
            } {-v verb}
        } finally {
            ::harness::finish $node
        }
    }
}

# ------------------------------------------------------- IPv6: [::1] ---

# Whether this machine has IPv6 on loopback: ::1 on lo and a socket bound
# to it; else the reason it has not.
proc ptn_ipv6_missing {} {
    if {[catch {exec ip -6 addr show lo} out]} { return "'ip -6 addr show lo' failed: $out" }
    if {![string match "*inet6 ::1/128*" $out]} { return "no ::1 on lo ('ip -6 addr show lo': $out)" }
    if {[catch {socket -server {apply {args {}}} -myaddr ::1 0} s]} { return "cannot bind ::1: $s" }
    close $s
    return {}
}

# A certificate of the first CA for the IP address ::1 only.
proc ptn_make_ipv6_cert {} {
    set f [open $::ptn/san6.ext w]
    puts $f "subjectAltName=IP:::1"
    close $f
    tls_openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout $::ptn/server6.key -out $::ptn/server6.csr -subj /CN=shoal-server6
    tls_openssl x509 -req -in $::ptn/server6.csr -CA $::ptn/ca.crt -CAkey $::ptn/ca.key \
        -CAcreateserial -out $::ptn/server6.crt -days 2 -extfile $::ptn/san6.ext
}

set ::ptn_v6_test {an IPv6 node (::1:port:weight): served over TLS, its certificate verified as the IP ::1}
set ::ptn_no_ipv6 [ptn_ipv6_missing]
if {$::ptn_no_ipv6 ne {}} {
    # runtest has no "skipped" result: an [ok] line that says it did not run, and why
    if {[::harness::selected $::ptn_v6_test]} {
        ::harness::emit ok "SKIPPED, did not run: $::ptn_v6_test: $::ptn_no_ipv6" 0
    }
} else {
    test $::ptn_v6_test {
        ptn_make_ipv6_cert
        # each node listens on 127.0.0.1 (the harness) and ::1 (the proxy)
        set node6 [ptn_node server6 no {--bind {127.0.0.1 ::1}}]
        set node4 [ptn_node server no {--bind {127.0.0.1 ::1}}]
        try {
            set yaml [ptn_pool v6 @LISTEN@ [ptn_tls redis true timeout 3000] \
                [list n6 ::1:[dict get $node6 tport]]]
            set wport [find_available_port]
            append yaml [ptn_pool v6wrong 127.0.0.1:$wport [ptn_tls redis true timeout 3000] \
                [list n4 ::1:[dict get $node4 tport]]]
            start_proxy $yaml {
                assert_equal [r_route r k6] ::1:[dict get $node6 tport]
                assert_equal [r set k6 over-ipv6] OK
                assert_equal [r get k6] over-ipv6
                set d [node_client $node6]
                assert_equal [$d get k6] over-ipv6
                # the proxy's connection comes from ::1
                assert_match "*addr=::1:*" [$d client list]
                $d close
                wait_for_log_line "*TLS session with server \\\[::1\\\]:[dict get $node6 tport]: TLS*"
                assert_equal [proxy_stat v6 n6 server_tls_errors] 0
                # a certificate for 127.0.0.1 and localhost, not ::1: refused as an IP mismatch
                set out [ptn_try $wport get k6]
                assert_match "*TLS handshake: certificate verify failed (IP address mismatch)*" $out
                proxy_wait_stat v6wrong n4 server_tls_errors 1
            } {-v verb}
        } finally {
            proxy_stop_nodes [list $node6 $node4]
        }
    }
}

# ------------------------------------- tls_handshake_timeout toward clients ---

test {tls_handshake_timeout: a silent TCP client of a tls pool is closed and counted; a handshaken idle one is not} {
    set node [ptn_node]
    set tport [find_available_port]
    try {
        set keys [ptn_tls tls true tls_cert_file $::ptn/server.crt tls_key_file $::ptn/server.key \
            tls_handshake_timeout 300 redis true]
        set yaml [ptn_pool plainside @LISTEN@ [ptn_tls redis true] [list n [dict get $node addr]]]
        append yaml [ptn_pool secure 127.0.0.1:$tport $keys [list n [dict get $node addr]]]
        start_proxy $yaml {
            set before [proxy_stat secure client_tls_errors]
            set from [log_line_count]
            set idle [resp_client 127.0.0.1 $tport -tls [tls_client_opts $::ptn 0]]
            set s [socket 127.0.0.1 $tport]
            fconfigure $s -translation binary -blocking 0
            set t0 [clock milliseconds]
            set got {}
            while {![eof $s] && [ms_since $t0] < 5000} {
                append got [read $s]
                after 20
            }
            set waited [ms_since $t0]
            close $s
            assert_equal $got {}
            assert_range $waited 250 3000
            proxy_wait_stat secure client_tls_errors [expr {$before + 1}]
            wait_for_log_line "*TLS handshake with client 127.0.0.1:* failed: handshake timed out*" -from $from
            # the client that finished its handshake idled past the timeout too
            after 200
            assert_equal [$idle ping] PONG
            assert_equal [$idle set idle 1] OK
            $idle close
            assert_equal [proxy_stat secure client_tls_errors] [expr {$before + 1}]
        } {-v verb}
    } finally {
        proxy_stop_nodes [list $node]
    }
}

# ------------------------------------------------------------- -t errors ---

proc ptn_test_conf {keys {servers {}}} {
    if {$servers eq {}} { set servers {n 127.0.0.1:7001} }
    set path [file join $::file_tmpdir conf-[incr ::ptn_seq].yml]
    write_file $path [ptn_pool p 127.0.0.1:1 [list redis true {*}$keys] $servers]
    set rc [catch {exec [proxy_binary] -t -c $path 2>@1} out]
    return [list $rc $out]
}

test {-t: each bad server_tls key, file and combination is refused with its line and why} {
    set missing $::ptn/no-such.pem
    # line 3 is the first key after listen and redis
    foreach {keys want} [list \
        {server_tls yes} "*:4: pool 'p': \"server_tls\" is not \"true\" or \"false\": 'yes'*" \
        {server_tls true server_tls_verify 0} "*:5: pool 'p': \"server_tls_verify\" is not \"true\" or \"false\"*" \
        [list server_tls_ca_cert_file $::ptn/ca.crt] "*:4: pool 'p': \"server_tls_ca_cert_file\" needs \"server_tls: true\"*" \
        {server_tls_verify false} "*:4: *\"server_tls_verify\" needs \"server_tls: true\"*" \
        {tls_handshake_timeout 100} "*:4: *\"tls_handshake_timeout\" needs \"tls: true\" or \"server_tls: true\"*" \
        {server_tls true tls_handshake_timeout 10s} "*:5: *\"tls_handshake_timeout\" is not a number: '10s'*" \
        [list server_tls true server_tls_cert_file $::ptn/client.crt] \
            "*:5: *\"server_tls_cert_file\" needs \"server_tls_key_file\"*" \
        [list server_tls true server_tls_key_file $::ptn/client.key] \
            "*:5: *\"server_tls_key_file\" needs \"server_tls_cert_file\"*" \
        [list server_tls true server_tls_ca_cert_file $missing] \
            "*:5: pool 'p': \"server_tls_ca_cert_file\" cannot be read: '$missing': No such file*" \
        [list server_tls true server_tls_cert_file $missing server_tls_key_file $::ptn/client.key] \
            "*:5: pool 'p': \"server_tls_cert_file\" cannot be read: '$missing'*" \
        [list server_tls true server_tls_cert_file $::ptn/client.crt server_tls_key_file $missing] \
            "*:6: pool 'p': \"server_tls_key_file\" cannot be read: '$missing'*" \
        [list server_tls true server_tls_ca_cert_file $::ptn/san.ext] \
            "*:4: pool 'p': server_tls: Failed to load CA certificates '*san.ext': *" \
        [list server_tls true server_tls_cert_file $::ptn/san.ext server_tls_key_file $::ptn/client.key] \
            "*:4: pool 'p': server_tls: Failed to load client certificate '*san.ext': *" \
        [list server_tls true server_tls_cert_file $::ptn/client.crt server_tls_key_file $::ptn/server.key] \
            "*:4: pool 'p': server_tls: Failed to load client key '*server.key': *mismatch*" \
        {server_tls true server_tls_server_name {a b}} "*:5: *\"server_tls_server_name\" is not a host name*" \
    ] {
        lassign [ptn_test_conf $keys] rc out
        assert_equal $rc 1 $out
        assert_match "*syntax is invalid*" $out
        assert_match $want $out
    }
    # a unix socket server has no host name to verify
    lassign [ptn_test_conf {server_tls true} {n /tmp/ptn.sock}] rc out
    assert_equal $rc 1 $out
    assert_match "*:6: *unix socket*\"server_tls_server_name\"*" $out
    # good files: accepted; verify off is warned about
    lassign [ptn_test_conf [list server_tls true server_tls_ca_cert_file $::ptn/ca.crt \
        server_tls_cert_file $::ptn/client.crt server_tls_key_file $::ptn/client.key \
        tls_handshake_timeout 0]] rc out
    assert_equal $rc 0 $out
    lassign [ptn_test_conf {server_tls true server_tls_verify false}] rc out
    assert_equal $rc 0 $out
    assert_match "*encrypted but not authenticated*" $out
}
