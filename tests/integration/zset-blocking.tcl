# tests/integration/zset-blocking.tcl: clients blocked on sorted-set keys
# (BZPOPMIN BZPOPMAX BZMPOP) on shoal alone, with deferring clients: served
# by later ZADDs and by every command that creates a sorted set (ZINCRBY,
# the *STORE commands, RENAME/COPY/MOVE), in FIFO order, several keys,
# RESP2/RESP3 replies, timeouts (short, polled), held pipelined input,
# waiters of lists and sorted sets on one key, the AOF form of a served
# pop, and blocked clients that are killed or disconnect (under the
# sanitizer build the server's exit checks that nothing leaked). The
# replies of the non-blocking paths are compared with redis in zset.tcl.

# Number of clients CLIENT LIST shows as blocked (flags containing b).
proc blocked_count {} {
    regexp -all {flags=[A-Za-z]*b} [r client list]
}

proc wait_blocked {n} {
    wait_for_condition 200 10 {[blocked_count] == $n} else {
        fail "expected $n blocked clients, CLIENT LIST says [blocked_count]"
    }
}

start_server {tags {zset blocking}} {

    test {BZPOPMIN is served by a later ZADD: [key member score], CLIENT LIST shows flags=b} {
        r del z
        set rd [deferring_client]
        $rd bzpopmin z 0
        wait_blocked 1
        assert_match {*flags=b*cmd=bzpopmin*} [r client list]
        assert_equal [r ping] PONG
        assert_equal [r zadd z 2 b 1.5 a 3 c] 3
        assert_equal [$rd read] {z a 1.5}
        wait_blocked 0
        assert_equal [r zrange z 0 -1] {b c}
        $rd bzpopmax z 0
        assert_equal [$rd read] {z c 3}
        $rd close
    }

    test {BZPOPMAX on several keys: the first key that gets members wins} {
        r del k1 k2 k3
        set rd [deferring_client]
        $rd bzpopmax k1 k2 k3 0
        wait_blocked 1
        r zadd k3 1 x 2 y
        assert_equal [$rd read] {k3 y 2}
        r zadd k2 1 v
        assert_equal [r zrange k2 0 -1] {v}
        assert_equal [r zrange k3 0 -1] {x}
        $rd bzpopmin k1 k1 k1 0
        wait_blocked 1
        r zadd k1 -inf only
        assert_equal [$rd read] {k1 only -inf}
        assert_equal [r exists k1] 0
        $rd close
    }

    test {waiters on one key are served in the order they blocked (FIFO)} {
        r del q
        set clients {}
        for {set i 0} {$i < 4} {incr i} {
            set rd [deferring_client]
            if {$i == 2} { $rd bzpopmax q 0 } else { $rd bzpopmin q 0 }
            wait_blocked [expr {$i + 1}]
            lappend clients $rd
        }
        r zadd q 1 e1
        assert_equal [[lindex $clients 0] read] {q e1 1}
        wait_blocked 3
        r zadd q 2 e2 3 e3 4 e4 5 e5
        assert_equal [[lindex $clients 1] read] {q e2 2}
        assert_equal [[lindex $clients 2] read] {q e5 5}
        assert_equal [[lindex $clients 3] read] {q e3 3}
        wait_blocked 0
        assert_equal [r zrange q 0 -1] {e4}
        foreach rd $clients { $rd close }
    }

    test {BZMPOP is served with its COUNT from the side asked, nested reply} {
        r del m1 m2
        set rd [deferring_client]
        $rd bzmpop 0 2 m1 m2 max count 2
        wait_blocked 1
        r zadd m2 1 a 2 b 3 c
        assert_equal [$rd read] {m2 {{c 3} {b 2}}}
        assert_equal [r zrange m2 0 -1] {a}
        $rd bzmpop 0 1 m1 min count 10
        wait_blocked 1
        r zadd m1 1 x 2 y
        assert_equal [$rd read] {m1 {{x 1} {y 2}}}
        assert_equal [r exists m1] 0
        $rd bzmpop 0 1 m1 min
        wait_blocked 1
        r zadd m1 1 x 2 y
        assert_equal [$rd read] {m1 {{x 1}}}
        $rd close
    }

    test {served replies in RESP3: a double score, nested pairs} {
        r del r3
        set rd [deferring_client]
        $rd hello 3
        $rd read
        $rd bzpopmin r3 0
        wait_blocked 1
        r zadd r3 2.5 a 7 b 9 c
        assert_equal [$rd read_raw] "*3\r\n\$2\r\nr3\r\n\$1\r\na\r\n,2.5\r\n"
        r del r3
        $rd bzmpop 0 1 r3 max count 5
        wait_blocked 1
        r zadd r3 1 d 9 c 7 b
        assert_equal [$rd read_raw] "*2\r\n\$2\r\nr3\r\n*3\r\n*2\r\n\$1\r\nc\r\n,9\r\n*2\r\n\$1\r\nb\r\n,7\r\n*2\r\n\$1\r\nd\r\n,1\r\n"
        $rd close
    }

    test {a ZADD in a pipeline serves the waiter before the adder's next command} {
        r del p
        set rd [deferring_client]
        $rd bzpopmin p 0
        wait_blocked 1
        set pc [deferring_client]
        $pc zadd p 1 v
        $pc zcard p
        assert_equal [$pc read] 1
        assert_equal [$pc read] 0
        assert_equal [$rd read] {p v 1}
        $rd close
        $pc close
    }

    test {a blocked client does not run its pipelined commands until served} {
        r del h hx
        set rd [deferring_client]
        $rd raw [string cat [resp_encode {bzpopmax h 0}] [resp_encode {zadd hx 1 queued}] [resp_encode {ping}]]
        wait_blocked 1
        assert_equal [r exists hx] 0
        r zadd h 1 go
        assert_equal [$rd read] {h go 1}
        assert_equal [$rd read] 1
        assert_equal [$rd read] PONG
        assert_equal [r zrange hx 0 -1] {queued}
        $rd close
    }

    test {ZINCRBY, ZADD INCR and the store commands wake waiters; ZADD XX on a missing key does not} {
        r del w src
        r zadd src 1 a 2 b 3 c
        set rd [deferring_client]
        foreach {cmd want} {
            {zincrby w 5 m} {w m 5}
            {zadd w incr 2 n} {w n 2}
            {zunionstore w 1 src} {w a 1}
            {zinterstore w 2 src src weights 1 2} {w a 3}
            {zdiffstore w 1 src} {w a 1}
            {zrangestore w src 1 2} {w b 2}
        } {
            $rd bzpopmin w 0
            wait_blocked 1
            r zadd w xx 1 never
            assert_equal [blocked_count] 1
            r {*}$cmd
            assert_equal [$rd read] $want
            r del w
        }
        $rd close
    }

    test {RENAME, COPY and MOVE of a sorted set into a waited key wake the waiter} {
        r del t s1 s2
        r select 1
        r del t
        r zadd t 4 moved
        r select 0
        set rd [deferring_client]
        $rd bzpopmin t 0
        wait_blocked 1
        r zadd s1 1 renamed
        r rename s1 t
        assert_equal [$rd read] {t renamed 1}
        $rd bzpopmax t 0
        wait_blocked 1
        r zadd s2 2 copied
        r copy s2 t
        assert_equal [$rd read] {t copied 2}
        assert_equal [r zrange s2 0 -1] {copied}
        $rd bzpopmax t 0
        wait_blocked 1
        r select 1
        assert_equal [r move t 0] 1
        r select 0
        assert_equal [$rd read] {t moved 4}
        $rd close
    }

    test {list and sorted-set waiters on one key: each type serves only its own} {
        r del both
        set lw [deferring_client]
        set zw [deferring_client]
        $lw blpop both 0
        wait_blocked 1
        $zw bzpopmin both 0
        wait_blocked 2
        r zadd both 1 z
        assert_equal [$zw read] {both z 1}
        wait_blocked 1
        r set both str
        r del both
        assert_equal [blocked_count] 1
        r rpush both l
        assert_equal [$lw read] {both l}
        $zw bzpopmin both 0
        wait_blocked 1
        r rpush both l2
        assert_equal [blocked_count] 1
        r del both
        r zadd both 7 z2
        assert_equal [$zw read] {both z2 7}
        $lw close
        $zw close
    }

    test {timeouts: 0.1 s expires with a null array (RESP2 *-1, RESP3 _), 0 waits forever} {
        r del t
        set forever [deferring_client]
        $forever bzpopmax t 0
        set rd [deferring_client]
        set start [clock milliseconds]
        $rd bzpopmin t 0.1
        assert_equal [$rd read_raw] "*-1\r\n"
        set took [expr {[clock milliseconds] - $start}]
        assert_range $took 90 3000
        $rd bzmpop 0.05 2 t t2 min count 2
        assert_equal [$rd read_raw] "*-1\r\n"
        $rd hello 3
        $rd read
        $rd bzpopmax t 0.02
        assert_equal [$rd read_raw] "_\r\n"
        $rd bzmpop 0.001 1 t max
        assert_equal [$rd read_raw] "_\r\n"
        assert_equal [blocked_count] 1
        r zadd t 1 last
        assert_equal [$forever read] {t last 1}
        $forever close
        $rd close
    }

    test {CLIENT UNBLOCK of a sorted-set waiter: TIMEOUT gives a null array, ERROR the UNBLOCKED error} {
        r del nokey
        set rd [deferring_client]
        $rd client id
        set id [$rd read]
        $rd bzpopmin nokey 0
        wait_blocked 1
        assert_equal [r client unblock $id] 1
        assert_equal [$rd read_raw] "*-1\r\n"
        $rd bzmpop 0 1 nokey min
        wait_blocked 1
        assert_equal [r client unblock $id error] 1
        assert_equal [$rd read_raw] "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
        assert_equal [r client unblock $id] 0
        r zadd nokey 1 a
        assert_equal [r zcard nokey] 1
        $rd close
    }

    test {a blocked client killed with CLIENT KILL: nothing consumed, server healthy} {
        r del kk kk2
        set rd [deferring_client]
        $rd client id
        set id [$rd read]
        $rd bzmpop 0 2 kk kk2 min count 3
        wait_blocked 1
        assert_equal [r client kill id $id] 1
        wait_blocked 0
        r zadd kk 1 v
        assert_equal [r zrange kk 0 -1] {v}
        assert_equal [r ping] PONG
        $rd close
    }

    test {blocked clients that disconnect leave nothing behind} {
        r del gone
        set clients {}
        for {set i 0} {$i < 20} {incr i} {
            set rd [deferring_client]
            if {$i % 2} { $rd bzpopmin gone other$i 0 } else { $rd bzmpop 5 2 gone other$i max count 2 }
            lappend clients $rd
        }
        wait_blocked 20
        foreach rd $clients { $rd close }
        wait_blocked 0
        r zadd gone 1 v
        assert_equal [r zrange gone 0 -1] {v}
        r del gone
        set rd [deferring_client]
        $rd bzpopmax gone 0
        wait_blocked 1
        r zadd gone 2 w
        assert_equal [$rd read] {gone w 2}
        $rd close
    }

    test {many waiters on many keys, members added in random order: every member delivered once} {
        set keys {w0 w1 w2 w3 w4}
        r del {*}$keys
        set clients {}
        for {set i 0} {$i < 30} {incr i} {
            set rd [deferring_client]
            set n [expr {$i % 5}]
            set ks [concat [lrange $keys $n end] [lrange $keys 0 [expr {$n - 1}]]]
            if {$i % 3 == 0} { $rd bzmpop 0 5 {*}$ks min } else { $rd bzpopmin {*}$ks 0 }
            lappend clients [list $rd [expr {$i % 3 == 0}]]
        }
        wait_blocked 30
        set want {}
        for {set i 0} {$i < 30} {incr i} {
            r zadd [lindex $keys [randomInt 5]] $i e$i
            lappend want e$i
        }
        set got {}
        foreach pair $clients {
            lassign $pair rd nested
            set reply [$rd read]
            if {$nested} { lappend got [lindex $reply 1 0 0] } else { lappend got [lindex $reply 1] }
            $rd close
        }
        assert_equal [lsort $got] [lsort $want]
        assert_equal [blocked_count] 0
        foreach k $keys { assert_equal [r exists $k] 0 }
    }
}

start_server {tags {zset blocking} appendonly yes appendfsync always} {
    test {served and immediate blocking pops are logged as ZPOPMIN/ZPOPMAX, never as blocking forms} {
        r del a b
        set rd [deferring_client]
        $rd bzpopmax a 0
        wait_blocked 1
        r zadd a 1 x 2 y 3 z
        assert_equal [$rd read] {a z 3}
        $rd bzmpop 0 1 b min count 2
        wait_blocked 1
        r zadd b 1 p
        assert_equal [$rd read] {b {{p 1}}}
        assert_equal [r bzpopmin a 0] {a x 1}
        $rd close
        set fd [open [file join [srv dir] appendonly.aof] rb]
        set aof [read $fd]
        close $fd
        foreach form {"*2\r\n\$7\r\nZPOPMAX\r\n\$1\r\na\r\n" "*3\r\n\$7\r\nZPOPMIN\r\n\$1\r\nb\r\n\$1\r\n2\r\n"
                      "*2\r\n\$7\r\nZPOPMIN\r\n\$1\r\na\r\n"} {
            assert {[string first $form $aof] >= 0}
        }
        assert {[string first "BZ" [string toupper $aof]] < 0}
        # the pop that served a waiter comes after the write that woke it
        set add [string first "zadd\r\n\$1\r\na\r\n" $aof]
        assert {$add >= 0 && $add < [string first "ZPOPMAX" $aof]}
    }
}
