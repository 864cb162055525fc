# tests/integration/proxy-audit-resp.tcl: the RESP side of shoal-proxy,
# closing what proxy-resp and proxy-eject leave open: commands whose keys
# must live together refused with CROSSSLOT across nodes (numkeys forms
# included) and forwarded under a hash tag; redis-cli through the proxy
# (commands, --scan across nodes, --pipe); mock RESP nodes that assert the
# exact bytes of each split and answer out of order, one byte at a time;
# sums and MSET when a node is dead; INFO's proxy figures.

source [file join [file dirname $::test_file_path] proxy-common.inc]

proc r_route {key} { return [lindex [r proxy route $key] 0] }

# Two keys of a prefix that the proxy places on different nodes.
proc split_keys {prefix} {
    set a ${prefix}0
    for {set i 1} {$i < 200} {incr i} {
        if {[r_route $prefix$i] ne [r_route $a]} { return [list $a $prefix$i] }
    }
    fail "no two $prefix keys on different nodes"
}

test {commands whose keys must live together: CROSSSLOT across nodes, forwarded under a hash tag} {
    set nodes [proxy_nodes redis 3]
    try {
        start_proxy [proxy_yaml beta redis $nodes hash murmur hash_tag "\"{}\""] {
            lassign [split_keys x] a b
            set cases [list \
                [list rename $a $b] [list renamenx $a $b] [list copy $a $b] \
                [list msetnx $a 1 $b 2] [list smove $a $b m] [list sinter $a $b] \
                [list sinterstore $a $b] [list sunionstore $a $b] [list sdiff $a $b] \
                [list lmove $a $b left right] [list rpoplpush $a $b] [list blpop $a $b 1] \
                [list zunionstore $a 2 $a $b] [list zinterstore $a 2 $a $b] \
                [list zdiffstore $a 1 $b] [list zunionstore $a 1 $b] \
                [list zdiff 2 $a $b] [list zunion 2 $a $b] [list sintercard 2 $a $b] \
                [list lmpop 2 $a $b left] [list zmpop 2 $a $b min] \
                [list eval {return 1} 2 $a $b]]
            set wrong {}
            foreach cmd $cases {
                if {[catch {r {*}$cmd} err]} {
                    if {![string match "CROSSSLOT Keys in request don't hash to the same server*" $err]} {
                        lappend wrong "[lindex $cmd 0]: $err"
                    }
                } else {
                    lappend wrong "[lindex $cmd 0] answered [list $err]"
                }
            }
            assert_equal $wrong {}
            # the same commands with a hash tag reach the one node and work
            r del "{t}a" "{t}b"
            r sadd "{t}a" m1 m2
            r sadd "{t}b" m2
            assert_equal [r sinter "{t}a" "{t}b"] m2
            assert_equal [r smove "{t}a" "{t}b" m1] 1
            assert_equal [lsort [r smembers "{t}b"]] {m1 m2}
            r zadd "{t}za" 1 x
            r zadd "{t}zb" 2 x
            assert_equal [r zunionstore "{t}zc" 2 "{t}za" "{t}zb"] 1
            assert_equal [r zscore "{t}zc" x] 3
            assert_equal [r zinterstore "{t}zi" 2 "{t}za" "{t}zb"] 1
            assert_equal [r zunion 2 "{t}za" "{t}zb" withscores] {x 3}
            assert_equal [r zdiff 2 "{t}za" "{t}none"] x
            assert_equal [r sintercard 2 "{t}a" "{t}b"] 1
            r rpush "{t}l" 1 2
            assert_equal [r lmpop 2 "{t}none" "{t}l" left] {{{t}l} 1}
            assert_equal [r zmpop 1 "{t}zi" min] {{{t}zi} {{x 3}}}
            # a bad numkeys gets the node's own error
            assert_error {ERR at least 1 input key is needed*} {r zunion 0 "{t}za"}
            assert_equal [r rename "{t}zc" "{t}zd"] OK
            assert_equal [r eval {return redis.call('get', KEYS[1])} 2 "{t}none" "{t}b2"] {}
            # the node that holds them is the one PROXY ROUTE names, and only it
            set owner [r_route "{t}zd"]
            foreach n $nodes {
                set c [node_client $n]
                assert_equal [$c exists "{t}zd"] [expr {[dict get $n addr] eq $owner}]
                $c close
            }
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {redis-cli through the proxy: commands, --scan over every node, --pipe} {
    set nodes [proxy_nodes redis 3]
    try {
        start_proxy [proxy_yaml beta redis $nodes hash md5] {
            set cli [list /usr/bin/redis-cli -h 127.0.0.1 -p [srv port]]
            assert_equal [exec {*}$cli mset rc:a 1 rc:b 2 rc:c 3] OK
            assert_equal [exec {*}$cli mget rc:a rc:b rc:none rc:c] "1\n2\n\n3"
            assert_equal [exec {*}$cli del rc:a rc:none rc:b] 2
            assert_equal [exec {*}$cli ping] PONG
            set cmds {}
            for {set i 0} {$i < 200} {incr i} { append cmds [resp_encode [list set cli:$i $i]] }
            set out [exec {*}$cli --pipe << $cmds]
            assert_match "*errors: 0, replies: 200*" $out
            set keys [lsort [split [exec {*}$cli --scan --pattern cli:*] "\n"]]
            set want {}
            for {set i 0} {$i < 200} {incr i} { lappend want cli:$i }
            assert_equal $keys [lsort $want]
            assert_equal [exec {*}$cli dbsize] 201
            # every node got some
            foreach n $nodes {
                set c [node_client $n]
                assert_range [$c dbsize] 1 200
                $c close
            }
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

test {a dead node: MSET and EXISTS answer its error, MGET degrades per key, INFO and stats count it} {
    set nodes [proxy_nodes redis 2]
    set victim [dict get [lindex $nodes 1] addr]
    try {
        start_proxy [proxy_yaml beta redis $nodes hash md5] {
            set keys {}
            set kv {}
            for {set i 0} {$i < 20} {incr i} { lappend keys d:$i; lappend kv d:$i $i }
            assert_equal [r mset {*}$kv] OK
            ::harness::finish [lindex $nodes 1]
            set fe [proxy_stat beta fragment_errors]
            assert_error {ERR *} {r mset {*}$kv}
            assert_error {ERR *} {r exists {*}$keys}
            assert_error {ERR *} {r touch {*}$keys}
            set got [r mget {*}$keys]
            for {set i 0} {$i < 20} {incr i} {
                if {[r_route d:$i] eq $victim} {
                    assert_match "ERR Connection *" [lindex $got $i]
                } else {
                    assert_equal [lindex $got $i] $i
                }
            }
            # one fragment_errors per degraded multi-key reply
            proxy_wait_stat beta fragment_errors [expr {$fe + 4}]
            set info [r info]
            assert_match "*# Proxy*" $info
            assert [regexp {beta:fragment_errors:(\d+)} $info -> n]
            assert_equal $n [expr {$fe + 4}]
            assert [regexp "beta:${victim}:server_err:(\\d+)" $info -> n]
            assert {$n > 0 || [regexp "beta:${victim}:server_eof:(\[1-9\]\\d*)" $info]}
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}
