# tests/integration/expire.tcl: key expiry on shoal: TTL arithmetic, lazy
# expiry on access, the active expiry cycle, PERSIST, and the TTL following
# a key through RENAME, COPY and MOVE. Time moves with DEBUG JUMP (the
# node's clock offset), never by sleeping; the oracle has no such clock, so
# the exact-reply checks of these commands are in keys.tcl.

# Pipelined SET prefix0..prefix(n-1) with PEXPIRE ms each (ms {} = none).
proc expire_populate {n prefix ms} {
    set c [new_client]
    set buf {}
    for {set i 0} {$i < $n} {incr i} {
        append buf [resp_encode [list set $prefix$i $i]]
        if {$ms ne {}} { append buf [resp_encode [list pexpire $prefix$i $ms]] }
    }
    $c raw $buf
    set per [expr {$ms eq {} ? 1 : 2}]
    for {set i 0} {$i < $n * $per} {incr i} {
        set rep [$c read_raw]
        if {$rep ni [list "+OK\r\n" ":1\r\n"]} { error "populate: [resp_escape $rep]" }
    }
    $c close
}

proc expired_keys {} { get_info_field [r info stats] expired_keys }

start_server {tags {expire}} {
    test {TTL counts down with the clock and the key expires} {
        r flushall
        r set k v
        assert_equal [r expire k 100] 1
        assert_equal [r ttl k] 100
        assert_range [r pttl k] 99000 100000
        r debug jump 40000
        assert_equal [r ttl k] 60
        assert_range [r pttl k] 59000 60000
        assert_equal [r get k] v
        r debug jump 60001
        assert_equal [r ttl k] -2
        assert_equal [r pttl k] -2
        assert_equal [r get k] {}
        assert_equal [r exists k] 0
        r debug reset-clock
    }

    test {TTL rounds to the nearest second, PTTL is exact} {
        r set k v
        set rep [pipeline {
            {pexpire k 1500} {ttl k} {pttl k}
            {pexpire k 1499} {ttl k} {pexpire k 500} {ttl k}
            {pexpire k 499} {ttl k} {pttl k}
        }]
        assert_equal $rep {1 2 1500 1 1 1 1 1 0 499}
    }

    test {EXPIRETIME and PEXPIRETIME give the absolute time} {
        r set k v
        r pexpireat k 4102444800499
        assert_equal [r expiretime k] 4102444800
        assert_equal [r pexpiretime k] 4102444800499
        r pexpireat k 4102444800500
        assert_equal [r expiretime k] 4102444801
        set rep [pipeline {{pexpire k 10000} {pexpiretime k} {pttl k}}]
        lassign $rep ok abs rel
        assert_equal $ok 1
        # abs - rel is the node's clock: close to ours, moved by no jump
        assert_range [expr {$abs - $rel}] [expr {[clock milliseconds] - 5000}] [clock milliseconds]
        r debug jump 3600000
        assert_equal [r pexpiretime k] -2
        r set k v
        assert_equal [r expiretime k] -1
        r debug reset-clock
    }

    test {EXPIRE on a missing key does nothing} {
        r del nokey
        assert_equal [r expire nokey 100] 0
        assert_equal [r pexpire nokey 100] 0
        assert_equal [r expireat nokey 4102444800] 0
        assert_equal [r pexpireat nokey 4102444800000] 0
        assert_equal [r exists nokey] 0
        assert_equal [r ttl nokey] -2
    }

    test {EXPIRE with a time in the past deletes the key and returns 1} {
        r config resetstat
        foreach cmd {{expire k 0} {expire k -10} {pexpire k 0} {expireat k 1}
                     {pexpireat k 1000} {expireat k -1}} {
            r set k v
            assert_equal [r {*}$cmd] 1 $cmd
            assert_equal [r exists k] 0 $cmd
        }
        # a deletion, not an expiry, for INFO (as Redis)
        assert_equal [expired_keys] 0
        # ... unless an option refuses it: GT against "no TTL"
        r set k v
        assert_equal [r expire k -1 gt] 0
        assert_equal [r exists k] 1
    }

    test {NX XX GT LT decide against the current TTL} {
        r set k v
        assert_equal [r expire k 100 xx] 0
        assert_equal [r ttl k] -1
        assert_equal [r expire k 100 gt] 0
        assert_equal [r expire k 100 lt] 1
        assert_equal [r expire k 50 nx] 0
        assert_equal [r ttl k] 100
        assert_equal [r expire k 50 gt] 0
        assert_equal [r expire k 200 gt] 1
        assert_equal [r expire k 300 lt] 0
        assert_equal [r expire k 150 lt] 1
        assert_equal [r expire k 120 xx] 1
        assert_equal [r ttl k] 120
    }

    test {PERSIST removes the TTL and the key survives the clock} {
        r set k v
        r expire k 10
        assert_equal [r persist k] 1
        assert_equal [r ttl k] -1
        assert_equal [r persist k] 0
        assert_equal [r persist nokey] 0
        r debug jump 20000
        assert_equal [r get k] v
        r debug reset-clock
    }

    test {An expired key is gone for every command, even before deletion} {
        r flushall
        r debug set-active-expire 0
        r set k v
        r set dst x
        r pexpire k 100
        r debug jump 1000
        assert_equal [r dbsize] 2
        foreach {cmd want} {
            {exists k} 0 {type k} none {ttl k} -2 {pttl k} -2 {expiretime k} -2
            {persist k} 0 {expire k 100} 0 {touch k} 0 {move k 1} 0
            {copy k k2} 0 {renamenx k k2} {ERR no such key} {del k} 0
        } {
            r set k v
            r pexpire k 100
            r debug jump 1000
            if {[catch {r {*}$cmd} got]} { set got $got }
            assert_equal $got $want $cmd
            assert_equal [r dbsize] 1 "$cmd left the expired key"
        }
        assert_equal [r keys *] dst
        r debug set-active-expire 1
        r debug reset-clock
    }

    test {Lazy expiry: with active expiry off, expired keys stay counted until read} {
        r flushall
        r debug set-active-expire 0
        r config resetstat
        expire_populate 1000 lazy: 10000
        r debug jump 20000
        # give the cron (hz 10) a few runs in which it must not expire them
        after 350
        assert_equal [r dbsize] 1000
        assert_equal [expired_keys] 0
        assert_match {*db0:keys=1000,expires=1000,*} [r info keyspace]
        for {set i 0} {$i < 500} {incr i} { assert_equal [r get lazy:$i] {} }
        assert_equal [r dbsize] 500
        assert_equal [expired_keys] 500
        assert_match {*db0:keys=500,expires=500,*} [r info keyspace]
        r debug set-active-expire 1
        r debug reset-clock
    }

    test {Active expiry removes expired keys without them being read} {
        r flushall
        r config resetstat
        expire_populate 1000 gone: 10000
        expire_populate 100 kept: {}
        expire_populate 100 later: 3600000
        assert_equal [r dbsize] 1200
        r debug jump 20000
        wait_for_condition 100 50 {[r dbsize] == 200} else {
            fail "active expiry left [r dbsize] keys"
        }
        assert_equal [expired_keys] 1000
        assert_match {*db0:keys=200,expires=100,*} [r info keyspace]
        assert_equal [llength [r keys kept:*]] 100
        assert_equal [llength [r keys later:*]] 100
        r debug reset-clock
    }

    test {Active expiry works in every database} {
        r flushall
        foreach db {0 3 9} {
            r select $db
            expire_populate 200 d$db: 10000
        }
        r select 0
        r debug jump 20000
        wait_for_condition 100 50 {
            [r dbsize] == 0 && [r select 3] eq "OK" && [r dbsize] == 0 &&
            [r select 9] eq "OK" && [r dbsize] == 0
        } else {
            fail "keys left in some database"
        }
        r select 0
        r debug reset-clock
    }

    test {The TTL follows the key through RENAME, RENAMENX, COPY and MOVE} {
        r flushall
        r debug set-active-expire 0
        r set a v
        r pexpire a 50000
        r rename a b
        assert_range [r pttl b] 40000 50000
        assert_equal [r renamenx b c] 1
        assert_range [r pttl c] 40000 50000
        assert_equal [r copy c d] 1
        assert_range [r pttl d] 40000 50000
        assert_equal [r copy c e db 2] 1
        assert_equal [r move d 1] 1
        r set plain v
        r copy plain plain2
        assert_equal [r ttl plain2] -1
        r rename plain plain3
        assert_equal [r ttl plain3] -1
        # a long (heap) value as well
        r set long [string repeat x 100]
        r pexpire long 50000
        r rename long long2
        assert_range [r pttl long2] 40000 50000
        r move long2 1
        r select 1
        assert_range [r pttl d] 40000 50000
        assert_range [r pttl long2] 40000 50000
        r select 2
        assert_range [r pttl e] 40000 50000
        r select 0
        r debug jump 60000
        assert_equal [r exists a b c plain2 plain3] 2
        r select 1
        assert_equal [r exists d long2] 0
        r select 2
        assert_equal [r exists e] 0
        r select 0
        r debug set-active-expire 1
        r debug reset-clock
    }

    test {RENAME over a key with a TTL replaces the TTL too} {
        r flushall
        r set src v
        r set dst w
        r expire dst 100
        r rename src dst
        assert_equal [r ttl dst] -1
        assert_equal [r get dst] v
        r set src v
        r pexpire src 70000
        r copy src dst replace
        assert_range [r pttl dst] 60000 70000
    }

    test {Active expiry of renamed and moved keys (the expires table follows)} {
        r flushall
        expire_populate 300 r: 10000
        for {set i 0} {$i < 100} {incr i} { r rename r:$i rn:$i }
        for {set i 100} {$i < 200} {incr i} { r move r:$i 1 }
        for {set i 200} {$i < 300} {incr i} { r copy r:$i cp:$i db 2 }
        r debug jump 20000
        wait_for_condition 100 50 {
            [r dbsize] == 0 && [r select 1] eq "OK" && [r dbsize] == 0 &&
            [r select 2] eq "OK" && [r dbsize] == 0 && [r select 0] eq "OK"
        } else {
            fail "active expiry missed renamed/moved/copied keys"
        }
        r select 0
        r debug reset-clock
    }
}
