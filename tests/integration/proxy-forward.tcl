# tests/integration/proxy-forward.tcl: the commands shoal-server does not
# implement that shoal-proxy forwards by their keys to nodes that do
# (compat/cmd.def FWD): HyperLogLog, geo, BITPOS BITFIELD BITOP, LCS, DUMP
# RESTORE, ZINTERCARD and the stream commands, XREAD / XREADGROUP BLOCK
# included.  twemproxy forwards the first three families; a deployment
# moving from it must not find them refused.  Over three redis-server
# nodes, compared byte for byte with one redis-server; keys land where
# PROXY ROUTE says; keys that must live together and do not get CROSSSLOT
# (twemproxy sends them to the first key's server unchecked); over
# shoal-server nodes the node's own "unknown command" comes back.

source [file join [file dirname $::test_file_path] proxy-common.inc]

proc r_route {key} { return [lindex [r proxy route $key] 0] }

# Two keys of prefix that live on different nodes.
proc keys_apart {prefix} {
    set first $prefix:0
    for {set i 1} {$i < 500} {incr i} {
        if {[r_route $prefix:$i] ne [r_route $first]} { return [list $first $prefix:$i] }
    }
    fail "no two $prefix keys on different nodes"
}

proc fwd_yaml {nodes} {
    return [proxy_yaml fwd redis $nodes hash murmur hash_tag "\"<>\"" timeout 2000]
}

# Each command once through the proxy and once at the oracle: the same
# bytes.  Keys are hash-tagged (<tag>) where a command names more than one.
set ::fwd_diff_cmds {
    {pfadd hll a b c d} {pfadd hll a} {pfcount hll} {pfadd <h>1 x y} {pfadd <h>2 y z}
    {pfcount <h>1 <h>2} {pfmerge <h>3 <h>1 <h>2} {pfcount <h>3} {pfcount nosuch}
    {set str notahll} {pfadd str a} {pfcount str}
    {geoadd geo 13.361389 38.115556 Palermo 15.087269 37.502669 Catania}
    {geodist geo Palermo Catania km} {geohash geo Palermo Catania nosuch}
    {geopos geo Palermo nosuch} {georadius geo 15 37 200 km asc}
    {georadius_ro geo 15 37 200 km withdist asc} {georadiusbymember geo Palermo 200 km asc}
    {georadiusbymember_ro geo Palermo 100 km} {geosearch geo fromlonlat 15 37 byradius 200 km asc}
    {geoadd <g>src 13.361389 38.115556 Palermo 15.087269 37.502669 Catania}
    {geosearchstore <g>dst <g>src fromlonlat 15 37 byradius 200 km} {zrange <g>dst 0 -1}
    {georadius <g>src 15 37 200 km store <g>st} {zcard <g>st}
    {georadius <g>src 15 37 200 km storedist <g>sd} {zrange <g>sd 0 -1}
    {geoadd geo 200 100 bad}
    {setbit bits 7 1} {setbit bits 20 1} {bitpos bits 1} {bitpos bits 0 1} {bitpos nosuch 1}
    {bitfield bf set u8 0 200 get u8 0 incrby u8 0 100} {bitfield_ro bf get u4 0}
    {bitfield bf overflow fail incrby u8 0 200}
    {set <b>1 abc} {set <b>2 abd} {bitop and <b>and <b>1 <b>2} {get <b>and}
    {bitop not <b>not <b>1} {bitop bogus <b>x <b>1}
    {set <l>1 ohmytext} {set <l>2 mynewtext} {lcs <l>1 <l>2} {lcs <l>1 <l>2 len}
    {lcs <l>1 <l>2 idx minmatchlen 4 withmatchlen}
    {set d dumped} {del nosuch} {dump nosuch} {restore d 0 notapayload}
    {zadd <z>1 1 a 2 b 3 c} {zadd <z>2 1 b 2 c 3 d} {zintercard 2 <z>1 <z>2}
    {zintercard 2 <z>1 <z>2 limit 1} {zintercard 0 <z>1} {zintercard x <z>1}
    {xadd st 1-1 f v} {xadd st 2-1 g w h x} {xadd st 1-0 f v} {xlen st} {xrange st - +}
    {xrevrange st + - count 1} {xgroup create st grp 0} {xgroup create st grp 0}
    {xreadgroup group grp alice count 1 streams st >} {xpending st grp}
    {xack st grp 1-1} {xclaim st grp bob 0 2-1 justid}
    {xautoclaim st grp carol 0 0-0 count 5 justid} {xinfo stream st}
    {xinfo groups st} {xsetid st 5-0} {xadd st 4-0 f v} {xdel st 2-1} {xtrim st maxlen 0}
    {xlen st} {xread count 1 streams st 0} {xread streams st} {xread streams st nosuch 0}
    {xgroup help} {xinfo help} {xread count}
    {pfadd} {geoadd geo 1 2} {dump} {bitop and} {xadd st} {zintercard 1}
}

proc fwd_nodes_run {kind n body} {
    set nodes [proxy_nodes $kind $n]
    try {
        start_proxy [fwd_yaml $nodes] $body
    } finally {
        proxy_stop_nodes $nodes
    }
}

start_oracle_redis {} {
    fwd_nodes_run redis 3 {
        test "forwarded commands over 3 redis-server nodes give one redis-server's bytes" {
            set n 0
            foreach cmd $::fwd_diff_cmds {
                # the XINFO STREAM reply is the same once the stream's
                # entries and ids are (checked too, not masked)
                assert_same $cmd
                incr n
            }
            assert_equal $n [llength $::fwd_diff_cmds]
            # the extended XPENDING form names each entry's idle time (ms)
            foreach c {r oracle} {
                $c xadd st 9-0 f v
                $c xreadgroup group grp dave streams st >
            }
            assert_match "*9-0*dave*" [assert_same {xpending st grp - + 10 dave} {dave\r\n:[0-9]+}]
        }

        test "DUMP through the proxy RESTOREs on another node's key, and on redis-server" {
            lassign [keys_apart dr] k1 k2
            r del $k1 $k2
            r rpush $k1 a b c
            set payload [r dump $k1]
            assert_equal [r restore $k2 0 $payload] OK
            assert_equal [r lrange $k2 0 -1] {a b c}
            assert_equal [oracle restore $k2 0 $payload replace] OK
            assert_equal [oracle lrange $k2 0 -1] {a b c}
            assert_error "BUSYKEY*" {r restore $k2 0 $payload}
        }

        test "each forwarded key lives on the node PROXY ROUTE names, and only there" {
            set made {}
            for {set i 0} {$i < 12} {incr i} {
                r pfadd fh:$i x
                r geoadd fg:$i 1 2 m
                r xadd fs:$i * f v
                r setbit fb:$i 3 1
                lappend made fh:$i fg:$i fs:$i fb:$i
            }
            set clients {}
            foreach node $nodes {
                dict set clients [dict get $node addr] [node_client $node]
            }
            foreach k $made {
                set owner [r_route $k]
                dict for {addr c} $clients {
                    assert_equal [$c exists $k] [expr {$addr eq $owner}] "$k on $addr"
                }
            }
            dict for {addr c} $clients { $c close }
        }
    }
}

fwd_nodes_run redis 3 {
    test "keys that must live together: CROSSSLOT when spread, forwarded when tagged" {
        lassign [keys_apart pc] a b
        foreach cmd [list [list pfcount $a $b] [list pfmerge $a $b] [list bitop and $a $b] \
                         [list bitop or $a $a $b] [list lcs $a $b] \
                         [list geosearchstore $a $b fromlonlat 0 0 byradius 1 km] \
                         [list georadius $a 0 0 1 km store $b] \
                         [list georadius $a 0 0 1 km storedist $b] \
                         [list georadiusbymember $a m 1 km store $b] \
                         [list zintercard 2 $a $b] [list xread streams $a $b 0 0] \
                         [list xreadgroup group g c streams $a $b > >] \
                         [list xread block 0 streams $a $b 0 0]] {
            set name [lindex $cmd 0]
            assert_error "CROSSSLOT Keys in request don't hash to the same server*'$name'*" \
                {r {*}$cmd}
        }
        # the same with one node's keys: forwarded, the node's answer
        assert_equal [r pfadd <t>a 1 2] 1
        assert_equal [r pfadd <t>b 2 3] 1
        assert_equal [r pfcount <t>a <t>b] 3
        assert_equal [r georadius <t>g 0 0 1 km store <t>d] 0
        # a georadius member named like the option is not a STORE key
        r geoadd <t>g 0 0 store
        assert_equal [r georadiusbymember <t>g store 1 km] store
        # what Redis refuses is the node's to say (the proxy routes it
        # where keyless commands go)
        assert_error "*wrong number of arguments*" {r pfcount}
        assert_error "*Unbalanced*" {r xread streams <t>a <t>b 0}
        assert_error "*syntax error*" {r xread count 1 <t>a}
        assert_error "*timeout is not an integer*" {r xread block x streams <t>a 0}
    }

    test "XREAD BLOCK: woken by an XADD from another client, on the client's own connection" {
        set k [lindex [keys_apart xb] 0]
        r del $k
        set b [resp_client 127.0.0.1 [srv port] -deferred 1]
        $b xread block 0 streams $k \$
        proxy_wait_stat fwd blocking_connections 1
        # the pool timeout (2 s) does not cut it short, and others are served
        after 2300
        for {set i 0} {$i < 20} {incr i} { assert_equal [r set other$i v] OK }
        assert_equal [r xadd $k 7-1 f v] 7-1
        assert_equal [$b read] [list [list $k [list [list 7-1 {f v}]]]]
        # its next command is answered after it, on the same client
        $b xlen $k
        assert_equal [$b read] 1
        $b close
        proxy_wait_stat fwd blocking_connections 0
    }

    test "XREAD BLOCK ms and XREADGROUP BLOCK ms time out at their own timeout" {
        set k [lindex [keys_apart xt] 0]
        r del $k
        r xgroup create $k g \$ mkstream
        set t0 [clock milliseconds]
        assert_equal [r xread block 300 streams $k \$] {}
        assert_range [expr {[clock milliseconds] - $t0}] 250 1900
        set t0 [clock milliseconds]
        assert_equal [r xreadgroup group g c block 300 streams $k >] {}
        assert_range [expr {[clock milliseconds] - $t0}] 250 1900
        # a request pipelined behind a blocked XREAD waits for it
        set c [resp_client 127.0.0.1 [srv port] -deferred 1]
        $c xread block 200 streams $k \$
        $c ping
        assert_equal [$c read] {}
        assert_equal [$c read] PONG
        $c close
    }
}

fwd_nodes_run shoal-resp 2 {
    test "over shoal-server nodes a forwarded command gets the node's unknown command" {
        foreach cmd {{pfadd h a} {xadd s * f v} {geoadd g 1 2 m} {bitpos b 1}} {
            set name [lindex $cmd 0]
            assert_error "ERR unknown command '$name', with args beginning with:*" {r {*}$cmd}
        }
        # a name with a NUL inside is no forwarded command (the lookup
        # read past the table's name for it)
        assert_match "-ERR unknown command 'pfadd*" \
            [::harness::exchange [srv 0 client] "*2\r\n\$10\r\npfadd\0xyzw\r\n\$1\r\nk\r\n" 1]
        # and the proxy serves on
        assert_equal [r set k v] OK
        assert_equal [r get k] v
    }
}
