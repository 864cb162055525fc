# tests/integration/proxy-resp3.tcl: RESP3 clients and scripts through
# shoal-proxy.
#
# RESP3: a differential test (the same HELLO 3 session sent to Debian's
# redis-server and to the proxy in front of shoal-server nodes must give the
# same bytes, every reply type), merges (MGET with _ nulls and an error
# element at a dead node's keys, sums, MSET, KEYS, SCAN), HELLO's options
# and errors against redis-server's, redis_auth, HELLO 2 and RESET going
# back to RESP2. Mock RESP nodes (Tcl, in this interpreter's event loop)
# check the exact bytes a node sees: the HELLO 3 prelude after AUTH and
# SELECT, a node refusing HELLO 3, a push dropped, and a protocol switch
# that waits for the requests sent before it.
#
# Scripts: EVAL EVALSHA EVAL_RO EVALSHA_RO FCALL FCALL_RO over two
# redis-server nodes routed by their numkeys keys (CROSSSLOT when spread,
# numkeys 0 to the owner of the empty key, invalid numkeys answered by the
# node as redis-server answers), SCRIPT LOAD/EXISTS/FLUSH and FUNCTION
# LOAD/DELETE/FLUSH on every node, every RESP3 type a script can return
# compared with redis-server, and python3-redis's Script (EVALSHA, then
# SCRIPT LOAD on NOSCRIPT). The Debian python3-redis (4.3) has no RESP3
# (protocol=3 came in redis-py 5), so RESP3 is checked with the Tcl client.

source [file join [file dirname $::test_file_path] proxy-common.inc]

proc r_route {key} {
    return [lindex [r proxy route $key] 0]
}

# Keys k0..k(n-1) with the given prefix grouped by the node the proxy
# routes them to: addr -> keys.
proc resp_keys_by_node {prefix n} {
    set out [dict create]
    for {set i 0} {$i < $n} {incr i} { dict lappend out [r_route $prefix$i] $prefix$i }
    return $out
}

# ------------------------------------------------------------------ diff ---

# Single-key commands of every reply type, run in order on both sides.
set ::resp3_diff_cmds {
    {set s hello} {get s} {get nosuch} {set s2 v GET} {getdel s2} {getdel s2}
    {strlen s} {append s !} {getrange s 0 2} {setrange s 0 J} {get s}
    {incr n} {incrby n 41} {decr n} {incrbyfloat f 1.5} {incrbyfloat f 0.25}
    {type s} {type nosuch} {exists s} {ttl s} {pttl nosuch} {expire s 100}
    {persist s} {ttl s} {setnx s x} {msetnx a1 1} {get a1}
    {hset h f1 v1 f2 v2 f3 3} {hgetall h} {hget h f1} {hget h nosuch} {hmget h f1 nosuch f2}
    {hexists h f2} {hincrby h f3 4} {hincrbyfloat h f3 0.5} {hlen h} {hkeys h} {hvals h}
    {hdel h f2} {hgetall h} {hgetall nosuch} {hstrlen h f1} {hsetnx h f1 x}
    {rpush l a b c d} {lrange l 0 -1} {lpop l} {rpop l 2} {lindex l 0} {lindex l 9}
    {llen l} {lpos l c} {lpos l zz} {lpop nosuch} {lpop nosuch 2} {linsert l before c x}
    {lrange l 0 -1} {lset l 0 y} {lrem l 0 y} {ltrim l 0 0} {lrange l 0 -1}
    {sadd si 3 1 2} {smembers si} {sismember si 2} {sismember si 9} {smismember si 1 9 3}
    {scard si} {srem si 1} {smembers si} {smembers nosuch} {sadd s1 only} {smembers s1}
    {spop s1} {spop nosuch}
    {zadd z 1.5 a 2 b -3.25 c} {zscore z a} {zscore z c} {zscore z nosuch}
    {zmscore z a nosuch b} {zincrby z 2.5 a} {zrange z 0 -1} {zrange z 0 -1 withscores}
    {zrangebyscore z -inf +inf withscores} {zrevrange z 0 1 withscores} {zrank z b}
    {zrank z nosuch} {zcard z} {zcount z 0 10} {zpopmin z} {zpopmax z 2} {zpopmin nosuch}
    {zadd z2 inf x -inf y} {zrange z2 0 -1 withscores} {zscore z2 x} {zadd z2 incr 1 w}
    {zadd z2 nx incr 1 w}
    {get h} {hget s f} {lpush s x} {incr s} {zadd z nan a}
    {del s} {del nosuch} {unlink n} {exists n f}
}

proc resp3_diff {nodes} {
    start_oracle_redis {} {
        start_proxy [proxy_yaml beta redis $nodes hash murmur timeout 3000] {
            test "RESP3 differential: the HELLO 3 map has redis-server's shape" {
                set mine [r hello 3]
                set theirs [oracle hello 3]
                assert_equal [dict keys $mine] [dict keys $theirs]
                assert_equal [dict get $mine server] shoal-proxy
                assert_equal [dict get $mine mode] proxy
                assert_equal [dict get $mine proto] 3
                assert_equal [dict get $mine modules] {}
                # the exact bytes: a map of 7 pairs, as redis-server sends
                set raw [::harness::exchange [srv 0 client] [resp_encode {hello}] 1]
                set v [dict get $mine version]
                set id [dict get $mine id]
                assert_equal $raw "%7\r\n\$6\r\nserver\r\n\$11\r\nshoal-proxy\r\n\$7\r\nversion\r\n\$[string length $v]\r\n$v\r\n\$5\r\nproto\r\n:3\r\n\$2\r\nid\r\n:$id\r\n\$4\r\nmode\r\n\$5\r\nproxy\r\n\$4\r\nrole\r\n\$6\r\nmaster\r\n\$7\r\nmodules\r\n*0\r\n"
                assert_match "%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n*" \
                    [::harness::exchange [oracle_srv client] [resp_encode {hello}] 1]
            }

            test "RESP3 differential: single-key commands of every type, same bytes" {
                set n 0
                foreach cmd $::resp3_diff_cmds {
                    assert_same $cmd
                    incr n
                }
                assert_equal $n [llength $::resp3_diff_cmds]
            }

            test "RESP3 differential: replies answered by the proxy" {
                foreach cmd {{ping} {ping hi} {echo x} {client getname} {select 0}
                             {command count}} {
                    if {$cmd eq {command count}} {
                        # the proxy counts its own table; the shape is what matters
                        assert_match {:*} [::harness::exchange [srv 0 client] [resp_encode $cmd] 1]
                        continue
                    }
                    assert_same $cmd
                }
                # only DB 0 through the proxy (redis_db picks the nodes' DB)
                assert_equal [::harness::exchange [srv 0 client] [resp_encode {select 5}] 1] \
                    "-ERR DB index is out of range\r\n"
                # INFO is a verbatim string in RESP3, as redis-server's
                assert_match "=*\r\ntxt:# Proxy\r\n*" \
                    [::harness::exchange [srv 0 client] [resp_encode {info}] 1]
                assert_match "=*\r\ntxt:*" [::harness::exchange [oracle_srv client] [resp_encode {info}] 1]
            }

            test "RESP3 differential: merges across nodes" {
                # keys spread over every node, some missing: _ in RESP3
                set keys {}
                set kv {}
                for {set i 0} {$i < 24} {incr i} {
                    lappend kv m:$i v$i
                    lappend keys m:$i missing:$i
                }
                set spread [dict size [resp_keys_by_node m: 24]]
                assert_equal $spread [llength $nodes]
                assert_same [list mset {*}$kv]
                assert_same [list mget {*}$keys]
                assert_same [list exists {*}$keys]
                assert_same [list touch {*}$keys]
                assert_same {dbsize}
                assert_equal [lsort [r keys m:*]] [lsort [oracle keys m:*]]
                assert_same [list del {*}[lrange $keys 0 9]]
                assert_same [list unlink {*}$keys]
                assert_same {dbsize}
                # SCAN: a full iteration returns every key, in RESP3 arrays
                r mset sc:1 a sc:2 b sc:3 c sc:4 d
                set cur 0
                set seen {}
                set rounds 0
                while {1} {
                    set raw [::harness::exchange [srv 0 client] [resp_encode [list scan $cur match sc:* count 100]] 1]
                    assert_match "\\*2\r\n\$*" $raw
                    lassign [r scan $cur match sc:* count 100] cur got
                    lappend seen {*}$got
                    if {$cur == 0 || [incr rounds] > 50} { break }
                }
                assert_equal [lsort -unique $seen] {sc:1 sc:2 sc:3 sc:4}
            }

            test "HELLO 2 goes back to RESP2, HELLO without a version keeps it" {
                assert_equal [::harness::exchange [srv 0 client] [resp_encode {hget h f1}] 1] \
                    "\$2\r\nv1\r\n"
                assert_equal [::harness::exchange [srv 0 client] [resp_encode {get nosuch}] 1] "_\r\n"
                assert_match "*\$5\r\nproto\r\n:3\r\n*" \
                    [::harness::exchange [srv 0 client] [resp_encode {hello}] 1]
                assert_equal [dict get [r hello 2] proto] 2
                foreach c [list [srv 0 client] [oracle_srv client]] {
                    $c hello 2
                }
                assert_same {get nosuch}
                assert_same {hgetall h}
                assert_same {zscore z a}
                assert_same {client getname}
                assert_match "*14\r\n*" [::harness::exchange [srv 0 client] [resp_encode {hello}] 1]
                # RESET: back to RESP2 too
                r hello 3
                assert_equal [::harness::exchange [srv 0 client] [resp_encode {get nosuch}] 1] "_\r\n"
                assert_equal [r reset] RESET
                assert_equal [::harness::exchange [srv 0 client] [resp_encode {get nosuch}] 1] "\$-1\r\n"
            }

            test "HELLO errors and options as redis-server gives them" {
                foreach cmd {{hello 4} {hello 1} {hello abc} {hello 3 foo} {hello 3 setname}
                             {hello 3 auth default} {hello 3 setname {a b}}
                             {hello 3 setname x auth}} {
                    assert_same_raw [resp_encode $cmd]
                }
                # options that succeed: same map shape, RESP3 from then on
                set mask {\$[0-9]+\r\n(shoal-proxy|redis|[0-9.]+|proxy|standalone)\r\n|:[0-9]+\r\n}
                foreach cmd {{hello 3 setname myname} {hello 3 auth default anything}
                             {hello 3 AUTH default x SETNAME n}} {
                    assert_same_raw "[resp_encode $cmd][resp_encode {get nosuch}]" 2 $mask
                }
            }
        }
    }
}

proc resp3_dead_node {nodes} {
    start_proxy [proxy_yaml beta redis $nodes hash murmur timeout 3000] {
        test "RESP3: a dead node's keys are error elements in an MGET, _ for misses" {
            r hello 3
            set by [resp_keys_by_node d: 30]
            set victim [dict get [lindex $nodes end] addr]
            lassign [dict get $by [dict get [lindex $nodes 0] addr]] alive miss
            set dead [lindex [dict get $by $victim] 0]
            r set $alive A
            r del $miss
            ::harness::finish [lindex $nodes end]
            set raw [::harness::exchange [srv 0 client] [resp_encode [list mget $alive $dead $miss]] 1]
            # the third key lives on the live node and does not exist: _
            # (node ports, hence placement, change from run to run: it is
            # picked by where the proxy routes it)
            assert_match "*3\r\n\$1\r\nA\r\n-ERR Connection *\r\n_\r\n" $raw
            # a sum with a failed node is the error (the live node's part ran)
            assert_error {ERR Connection*} {r del $alive $dead}
            assert_equal [::harness::exchange [srv 0 client] [resp_encode [list get $alive]] 1] "_\r\n"
            r set $alive B
            assert_equal [r get $alive] B
        }
    }
}

test "RESP3 differential over shoal-server nodes" {
    set nodes [proxy_nodes shoal-resp 2]
    try {
        resp3_diff $nodes
    } finally {
        proxy_stop_nodes $nodes
    }
}

test "RESP3 over shoal-server nodes: dead node" {
    set nodes [proxy_nodes shoal-resp 3]
    try {
        resp3_dead_node $nodes
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {RESP3 with redis_auth and redis_db: HELLO 3 AUTH, nodes get AUTH SELECT HELLO} {
    set nodes [proxy_nodes redis 2]
    try {
        foreach n $nodes {
            set c [node_client $n]
            $c config set requirepass s3cret
            $c close
        }
        start_oracle_redis {requirepass s3cret} {
            start_proxy [proxy_yaml gamma redis $nodes redis_auth s3cret redis_db 2] {
                foreach cmd {{hello 3} {get k} {hello 3 auth default nope} {hello 3 auth bob s3cret}} {
                    assert_same_raw [resp_encode $cmd]
                }
                set mask {\$[0-9]+\r\n(shoal-proxy|redis|[0-9.]+|proxy|standalone)\r\n|:[0-9]+\r\n}
                assert_same_raw "[resp_encode {hello 3 auth default s3cret}][resp_encode {get k}]" 2 $mask
                r hello 3 auth default s3cret
                r hset hh a 1
                assert_equal [::harness::exchange [srv 0 client] [resp_encode {hgetall hh}] 1] \
                    "%1\r\n\$1\r\na\r\n\$1\r\n1\r\n"
                # the key is in db 2 of its node
                set c [resp_client 127.0.0.1 [lindex [split [r_route hh] :] 1]]
                $c auth s3cret
                $c select 2
                assert_equal [$c hget hh a] 1
                $c close
            }
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# ------------------------------------------------------------ mock nodes ---

# A mock RESP node: parses each connection's requests and records them in
# ::rmock_log($port) as {fd argv} in arrival order. handler (called with
# port fd argv) returns {gate bytes}: bytes are sent once ::rmock_open(gate)
# exists (gate {} = at once), in order per connection.
proc rmock_node {handler} {
    set port [find_available_port]
    set s [socket -server [list rmock_accept $handler $port] -myaddr 127.0.0.1 $port]
    set ::rmock_log($port) {}
    return [list $s $port]
}

proc rmock_accept {handler port fd host rport} {
    fconfigure $fd -translation binary -blocking 0 -buffering none
    lappend ::rmock_conns $fd
    set ::rmock_buf($fd) {}
    set ::rmock_q($fd) {}
    fileevent $fd readable [list rmock_read $handler $port $fd]
}

proc rmock_read {handler port fd} {
    set data [read $fd]
    if {[eof $fd]} { catch {close $fd}; return }
    append ::rmock_buf($fd) $data
    while {[rmock_parse $fd argv]} {
        lappend ::rmock_log($port) [list $fd $argv]
        lappend ::rmock_q($fd) [{*}$handler $port $fd $argv]
    }
    rmock_flush $fd
}

proc rmock_parse {fd argvvar} {
    upvar 1 $argvvar argv
    set b $::rmock_buf($fd)
    if {![regexp {^\*(\d+)\r\n} $b all n]} { return 0 }
    set pos [string length $all]
    set argv {}
    for {set i 0} {$i < $n} {incr i} {
        if {![regexp -start $pos {^\$(\d+)\r\n} $b h len]} {
            if {![regexp {^\$(\d+)\r\n} [string range $b $pos end] h len]} { return 0 }
        }
        set start [expr {$pos + [string length $h]}]
        if {[string length $b] < $start + $len + 2} { return 0 }
        lappend argv [string range $b $start [expr {$start + $len - 1}]]
        set pos [expr {$start + $len + 2}]
    }
    set ::rmock_buf($fd) [string range $b $pos end]
    return 1
}

proc rmock_flush {fd} {
    while {[llength $::rmock_q($fd)]} {
        lassign [lindex $::rmock_q($fd) 0] gate bytes
        if {$gate ne {} && ![info exists ::rmock_open($gate)]} {
            after 10 [list rmock_flush $fd]
            return
        }
        set ::rmock_q($fd) [lrange $::rmock_q($fd) 1 end]
        if {[catch {puts -nonewline $fd $bytes}]} { return }
    }
}

proc rmock_stop {mocks} {
    foreach m $mocks { close [lindex $m 0] }
    foreach fd [lsort -unique [expr {[info exists ::rmock_conns] ? $::rmock_conns : {}}]] {
        catch {close $fd}
    }
    set ::rmock_conns {}
    array unset ::rmock_open
}

proc rmock_sleep {ms} {
    after $ms {set ::rmock_tick 1}
    vwait ::rmock_tick
}

# The commands each connection of a mock received: fd -> list of argv.
proc rmock_by_conn {port} {
    set out [dict create]
    foreach e $::rmock_log($port) { dict lappend out [lindex $e 0] [lindex $e 1] }
    return $out
}

# A node that answers like a small redis: HELLO 3 a map, AUTH/SELECT OK,
# SET held behind gate "set" when the key starts with "slow", GET "v"
# (GET pushed: a push message first, then "v").
proc rmock_redis {port fd argv} {
    set cmd [string tolower [lindex $argv 0]]
    switch -- $cmd {
        hello { return [list {} "%1\r\n\$5\r\nproto\r\n:[lindex $argv 1]\r\n"] }
        auth - select { return [list {} "+OK\r\n"] }
        set {
            set gate [expr {[string match slow* [lindex $argv 1]] ? "set" : {}}]
            return [list $gate "+OK\r\n"]
        }
        get {
            set push [expr {[lindex $argv 1] eq "pushed" ? ">2\r\n\$10\r\ninvalidate\r\n*1\r\n\$1\r\nk\r\n" : {}}]
            return [list {} "$push\$1\r\nv\r\n"]
        }
        default { return [list {} "-ERR unknown command '[lindex $argv 0]'\r\n"] }
    }
}

# A node without RESP3 (Redis 5): HELLO is an unknown command.
proc rmock_resp2 {port fd argv} {
    if {[string tolower [lindex $argv 0]] eq "hello"} {
        return [list {} "-ERR unknown command `HELLO`, with args beginning with: `3`, \r\n"]
    }
    return [rmock_redis $port $fd $argv]
}

test {mock node: RESP3 connection prelude is AUTH, SELECT, HELLO 3; its replies are eaten} {
    set m [rmock_node rmock_redis]
    set port [lindex $m 1]
    try {
        start_proxy "gamma:\n  listen: @LISTEN@\n  redis: true\n  redis_auth: pw\n  redis_db: 4\n  timeout: 3000\n  servers:\n   - 127.0.0.1:$port:1\n" {
            set c [resp_client 127.0.0.1 [srv port]]
            $c auth pw
            assert_equal [$c get a] v
            assert_equal [dict get [$c hello 3] proto] 3
            assert_equal [::harness::exchange $c [resp_encode {get b}] 1] "\$1\r\nv\r\n"
            $c close
            set conns [dict values [rmock_by_conn $port]]
            assert_equal [llength $conns] 2
            assert_equal [lindex $conns 0] {{AUTH pw} {SELECT 4} {get a}}
            assert_equal [lindex $conns 1] {{AUTH pw} {SELECT 4} {HELLO 3} {get b}}
        }
    } finally {
        rmock_stop [list $m]
    }
}

test {mock node: a push from a RESP3 node is dropped, the reply after it is the answer} {
    set m [rmock_node rmock_redis]
    set port [lindex $m 1]
    try {
        start_proxy "beta:\n  listen: @LISTEN@\n  redis: true\n  timeout: 3000\n  servers:\n   - 127.0.0.1:$port:1\n" {
            set c [resp_client 127.0.0.1 [srv port]]
            $c hello 3
            assert_equal [::harness::exchange $c [resp_encode {get pushed}] 1] "\$1\r\nv\r\n"
            assert_equal [::harness::exchange $c [resp_encode {get other}] 1] "\$1\r\nv\r\n"
            assert_equal [proxy_stat beta 127.0.0.1:$port server_err] 0
            $c close
        }
    } finally {
        rmock_stop [list $m]
    }
}

test {mock node: a node that refuses HELLO 3 fails RESP3 requests only, without ejection} {
    set m [rmock_node rmock_resp2]
    set port [lindex $m 1]
    try {
        start_proxy "beta:\n  listen: @LISTEN@\n  redis: true\n  timeout: 3000\n  auto_eject_hosts: true\n  server_failure_limit: 1\n  servers:\n   - 127.0.0.1:$port:1\n" {
            set c [resp_client 127.0.0.1 [srv port]]
            $c hello 3
            for {set i 0} {$i < 3} {incr i} {
                assert_error {ERR server refused HELLO 3 (RESP3): ERR unknown command `HELLO`*} {$c get k}
            }
            $c hello 2
            assert_equal [$c get k] v
            assert_equal [r get k] v
            assert_equal [proxy_stat beta server_ejects] 0
            $c close
        }
    } finally {
        rmock_stop [list $m]
    }
}

test {mock node: after HELLO 3 the next request waits for the ones sent before it} {
    set m [rmock_node rmock_redis]
    set port [lindex $m 1]
    try {
        start_proxy "beta:\n  listen: @LISTEN@\n  redis: true\n  timeout: 5000\n  servers:\n   - 127.0.0.1:$port:1\n" {
            set c [resp_client 127.0.0.1 [srv port]]
            fconfigure [$c fd] -blocking 0
            # SET (held by the node) over RESP2, then HELLO 3 and GET: the GET
            # would reach the node first on its new RESP3 connection
            $c raw "[resp_encode {set slowkey 1}][resp_encode {hello 3}][resp_encode {get slowkey}]"
            rmock_sleep 300
            set cmds {}
            foreach e $::rmock_log($port) { lappend cmds [lindex $e 1] }
            assert_equal $cmds {{set slowkey 1}}
            assert_equal [chan pending input [$c fd]] 0
            set ::rmock_open(set) 1
            assert_equal [$c read_raw] "+OK\r\n"
            assert_match "%7\r\n*" [$c read_raw]
            assert_equal [$c read_raw] "\$1\r\nv\r\n"
            set cmds {}
            foreach e $::rmock_log($port) { lappend cmds [lindex $e 1] }
            assert_equal $cmds {{set slowkey 1} {HELLO 3} {get slowkey}}
            $c close
        }
    } finally {
        rmock_stop [list $m]
    }
}

# --------------------------------------------------------------- scripts ---

proc eval_suite {} {
    set nodes [proxy_nodes redis 2]
    try {
        start_oracle_redis {} {
            start_proxy [proxy_yaml beta redis $nodes hash murmur hash_tag "\"{}\"" timeout 3000] {
                eval_suite_body $nodes
            }
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# A client of the node at addr.
proc addr_client {addr} {
    return [resp_client 127.0.0.1 [lindex [split $addr :] 1]]
}

proc eval_suite_body {nodes} {
    set a [dict get [lindex $nodes 0] addr]
    set b [dict get [lindex $nodes 1] addr]
    set by [resp_keys_by_node ev: 40]
    set ka [lindex [dict get $by $a] 0]
    set kb [lindex [dict get $by $b] 0]
    set direct($a) [addr_client $a]
    set direct($b) [addr_client $b]

    test "EVAL and EVAL_RO run on the node owning their keys" {
        foreach k [list $ka $kb] {
            assert_equal [r eval {return redis.call('set', KEYS[1], ARGV[1])} 1 $k val-$k] OK
            assert_equal [r eval_ro {return redis.call('get', KEYS[1])} 1 $k] val-$k
        }
        assert_equal [$direct($a) get $ka] val-$ka
        assert_equal [$direct($a) get $kb] {}
        assert_equal [$direct($b) get $kb] val-$kb
        assert_equal [$direct($b) get $ka] {}
        # a write in EVAL_RO is refused by the node, as redis-server refuses it
        assert_error {*Write commands are not allowed from read-only scripts*} \
            {r eval_ro {return redis.call('set', KEYS[1], 'x')} 1 $ka}
    }

    test "EVAL with keys on two nodes is refused; a hash tag keeps them together" {
        assert_error {CROSSSLOT Keys in request don't hash to the same server (use a hash tag) for 'eval'} \
            {r eval {return 1} 2 $ka $kb}
        assert_error {CROSSSLOT*'evalsha_ro'} {r evalsha_ro 0123 2 $ka $kb}
        # only the numkeys keys count: ARGV may name anything
        assert_equal [r eval {return ARGV[1]} 1 $ka $kb] $kb
        assert_equal [r eval {redis.call('set', KEYS[1], 1); return redis.call('incr', KEYS[2])} \
            2 "{tag}x" "{tag}y"] 1
        set owner [r_route "{tag}x"]
        set c [addr_client $owner]
        assert_equal [$c mget "{tag}x" "{tag}y"] {1 1}
        $c close
    }

    test "EVAL with numkeys 0 goes to the owner of the empty key" {
        set owner [r_route {}]
        assert_equal [r eval {return redis.call('set', 'zero:marker', 'z')} 0] OK
        assert_equal [$direct($owner) get zero:marker] z
        foreach addr [list $a $b] {
            if {$addr ne $owner} { assert_equal [$direct($addr) get zero:marker] {} }
        }
        assert_equal [r eval {return 7} 0] 7
    }

    test "EVAL family: invalid numkeys and arity give redis-server's errors" {
        foreach cmd {{eval {return 1} abc} {eval {return 1} -1} {eval {return 1} 2 a}
                     {eval {return 1} 1.5 a} {eval_ro {return 1} 99} {eval {return 1} {}}
                     {evalsha 0123456789012345678901234567890123456789 x}
                     {evalsha_ro abc 5 k} {fcall nofunc 3} {fcall_ro nofunc x}
                     {eval x} {evalsha x} {fcall f} {eval_ro} {fcall_ro f}} {
            assert_same $cmd
        }
    }

    test "SCRIPT LOAD reaches every node: EVALSHA works wherever the keys are" {
        assert_equal [r script flush] OK
        set body {return KEYS[1] .. ARGV[1]}
        set sha [r script load $body]
        assert_equal $sha [oracle script load $body]
        foreach k [list $ka $kb] {
            assert_equal [r evalsha $sha 1 $k !] "$k!"
            assert_equal [r evalsha_ro $sha 1 $k ?] "$k?"
        }
        # EXISTS is per script the AND over the nodes
        set only_a [$direct($a) script load {return 'a only'}]
        assert_equal [r script exists $sha $only_a 0000000000000000000000000000000000000000] {1 0 0}
        assert_equal [$direct($a) script exists $only_a] 1
        assert_equal [r script flush async] OK
        assert_equal [r script exists $sha $only_a] {0 0}
        assert_equal [$direct($a) script exists $only_a] 0
        assert_error {NOSCRIPT*} {r evalsha $sha 1 $kb x}
        # the nodes' own errors come back, once
        assert_same {script load {return +}}
        assert_same {script load}
        assert_same {script exists}
        assert_error {ERR 'script|kill' is not supported through the proxy} {r script kill}
        assert_same {script}
    }

    test "FUNCTION LOAD/DELETE/FLUSH on every node; FCALL and FCALL_RO routed by their keys" {
        set lib "#!lua name=plib\nredis.register_function('cat', function(keys, args) return keys\[1\] .. args\[1\] end)\nredis.register_function{function_name='rd', callback=function(keys, args) return redis.call('get', keys\[1\]) end, flags={'no-writes'}}"
        assert_equal [r function flush] OK
        assert_equal [r function load $lib] plib
        foreach k [list $ka $kb] {
            assert_equal [r fcall cat 1 $k x] ${k}x
            r set $k v$k
            assert_equal [r fcall_ro rd 1 $k] v$k
        }
        assert_error {CROSSSLOT*'fcall'} {r fcall cat 2 $ka $kb}
        assert_error {ERR Library 'plib' already exists} {r function load $lib}
        assert_equal [r function load replace $lib] plib
        assert_equal [r function delete plib] OK
        assert_error {ERR Function not found} {r fcall cat 1 $ka x}
        assert_error {ERR Function not found} {r fcall cat 1 $kb x}
        assert_equal [r function load $lib] plib
        assert_equal [r function flush sync] OK
        assert_error {ERR Function not found} {r fcall cat 1 $kb x}
        assert_error {ERR 'function|list' is not supported through the proxy} {r function list}
    }

    test "RESP3: every type a script returns passes through as redis-server sends it" {
        r hello 3
        oracle hello 3
        set hk [lindex [dict get $by $a] 1]
        r hset $hk f v
        oracle hset $hk f v
        foreach script {
            {return 1} {return 'str'} {return nil} {return true} {return false}
            {return {1, 'two', {3, false}}} {return {double=3.5}} {return {double=-0.25}}
            {return {big_number='1234567890123456789012345678901234567890'}}
            {return {map={a=1}}} {return {set={a=true}}} {return {err='ERR my error'}}
            {return {ok='fine'}} {return redis.error_reply('ERR custom')}
            {return {verbatim_string={format='txt', string='hello'}}}
            {redis.setresp(3); return redis.call('hgetall', KEYS[1])}
            {redis.setresp(3); return redis.call('get', 'nosuch')}
            {return redis.call('hgetall', KEYS[1])}
        } {
            assert_same [list eval $script 1 $hk]
        }
        # SCRIPT EXISTS merged for a RESP3 client
        assert_same {script exists 0000000000000000000000000000000000000000}
        r hello 2
        oracle hello 2
    }

    test "python3-redis: eval and Script objects (EVALSHA, SCRIPT LOAD on NOSCRIPT)" {
        set py {
import redis, sys
r = redis.Redis(host='127.0.0.1', port=int(sys.argv[1]))
r.script_flush()
s = r.register_script("return redis.call('incr', KEYS[1])")
print(s(keys=['py:x']), s(keys=['py:y']), s(keys=['py:x']), s(keys=['py:{t}1']))
print(r.eval("return ARGV[1]", 1, 'py:z', 'hi'), r.script_exists(s.sha))
}
        set out [exec /usr/bin/python3 -c $py [srv port]]
        assert_equal $out "1 1 2 1\nb'hi' \[True\]"
    }

    $direct($a) close
    $direct($b) close
}

test "scripts through the proxy over two redis-server nodes" {
    eval_suite
}

# A node answering scripts: SCRIPT LOAD a fixed sha, EVAL its numkeys.
proc rmock_script {port fd argv} {
    switch -- [string tolower [lindex $argv 0]] {
        script { return [list {} "\$40\r\n[string repeat a 40]\r\n"] }
        eval { return [list {} ":[lindex $argv 2]\r\n"] }
        default { return [rmock_redis $port $fd $argv] }
    }
}

test {mock nodes: EVAL's bytes go unchanged to its key's node, SCRIPT LOAD to every node} {
    set m1 [rmock_node rmock_script]
    set m2 [rmock_node rmock_script]
    set p1 [lindex $m1 1]
    set p2 [lindex $m2 1]
    try {
        start_proxy "beta:\n  listen: @LISTEN@\n  redis: true\n  hash: murmur\n  timeout: 3000\n  servers:\n   - 127.0.0.1:$p1:1\n   - 127.0.0.1:$p2:1\n" {
            set c [resp_client 127.0.0.1 [srv port]]
            fconfigure [$c fd] -blocking 0
            set by [resp_keys_by_node mk: 40]
            set k1 [lindex [dict get $by 127.0.0.1:$p1] 0]
            set k2 [lindex [dict get $by 127.0.0.1:$p2] 0]
            set req [resp_encode [list EVAL {return 1} 1 $k2 arg]]
            assert_equal [::harness::exchange $c $req 1] ":1\r\n"
            assert_equal [::harness::exchange $c [resp_encode {script load {return 1}}] 1] \
                "\$40\r\n[string repeat a 40]\r\n"
            set ::rmock_log($p1) [lmap e $::rmock_log($p1) {lindex $e 1}]
            set ::rmock_log($p2) [lmap e $::rmock_log($p2) {lindex $e 1}]
            assert_equal $::rmock_log($p1) [list {script load {return 1}}]
            assert_equal $::rmock_log($p2) [list [list EVAL {return 1} 1 $k2 arg] {script load {return 1}}]
            assert_equal [::harness::exchange $c [resp_encode [list eval x 1 $k1]] 1] ":1\r\n"
            $c close
        }
    } finally {
        rmock_stop [list $m1 $m2]
    }
}
