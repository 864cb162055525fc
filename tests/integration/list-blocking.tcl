# tests/integration/list-blocking.tcl: clients blocked on list keys (BLPOP
# BRPOP BLMOVE BRPOPLPUSH BLMPOP) on shoal alone, with deferring clients:
# served by later pushes in FIFO order, timeouts (short, polled), several
# keys, chained moves, held pipelined input, and blocked clients that are
# killed or disconnect while the node keeps serving everyone else (under
# the sanitizer build the server's exit checks that nothing leaked).

# Number of clients CLIENT LIST shows as blocked (flags containing b).
proc blocked_count {} {
    regexp -all {flags=[A-Za-z]*b} [r client list]
}

proc wait_blocked {n} {
    wait_for_condition 200 10 {[blocked_count] == $n} else {
        fail "expected $n blocked clients, CLIENT LIST says [blocked_count]"
    }
}

start_server {tags {list blocking}} {

    test {BLPOP is served by a later push, CLIENT LIST shows flags=b} {
        r del k
        set rd [deferring_client]
        $rd blpop k 0
        wait_blocked 1
        assert_match {*flags=b*cmd=blpop*} [r client list]
        assert_equal [r ping] PONG
        r set other v
        assert_equal [r get other] v
        assert_equal [r rpush k a b] 2
        assert_equal [$rd read] {k a}
        wait_blocked 0
        assert_equal [r lrange k 0 -1] {b}
        $rd close
    }

    test {BRPOP pops from the tail; several keys: the first that gets data wins} {
        r del k1 k2 k3
        set rd [deferring_client]
        $rd brpop k1 k2 k3 0
        wait_blocked 1
        r rpush k3 x y z
        assert_equal [$rd read] {k3 z}
        r rpush k2 v
        assert_equal [r lrange k2 0 -1] {v}
        assert_equal [r lrange k3 0 -1] {x y}
        $rd blpop k1 k1 k1 0
        wait_blocked 1
        r lpush k1 only
        assert_equal [$rd read] {k1 only}
        assert_equal [r exists k1] 0
        $rd close
    }

    test {waiters on one key are served in the order they blocked (FIFO)} {
        r del q
        set clients {}
        for {set i 0} {$i < 4} {incr i} {
            set rd [deferring_client]
            $rd blpop q 0
            wait_blocked [expr {$i + 1}]
            lappend clients $rd
        }
        r rpush q e1
        assert_equal [[lindex $clients 0] read] {q e1}
        wait_blocked 3
        r rpush q e2 e3 e4 e5
        assert_equal [[lindex $clients 1] read] {q e2}
        assert_equal [[lindex $clients 2] read] {q e3}
        assert_equal [[lindex $clients 3] read] {q e4}
        wait_blocked 0
        assert_equal [r lrange q 0 -1] {e5}
        foreach rd $clients { $rd close }
    }

    test {a push in a pipeline serves the waiter before the pusher's next command} {
        r del p
        set rd [deferring_client]
        $rd blpop p 0
        wait_blocked 1
        set pc [deferring_client]
        $pc rpush p v
        $pc lpop p
        assert_equal [$pc read] 1
        assert_equal [$pc read] {}
        assert_equal [$rd read] {p v}
        $rd close
        $pc close
    }

    test {a blocked client does not run its pipelined commands until served} {
        r del h hx
        set rd [deferring_client]
        $rd raw [string cat [resp_encode {blpop h 0}] [resp_encode {rpush hx queued}] [resp_encode {ping}]]
        wait_blocked 1
        assert_equal [r exists hx] 0
        r rpush h go
        assert_equal [$rd read] {h go}
        assert_equal [$rd read] 1
        assert_equal [$rd read] PONG
        assert_equal [r lrange hx 0 -1] {queued}
        $rd close
    }

    test {timeouts: 0.1 s expires with a null array, 0 waits forever} {
        r del t
        set forever [deferring_client]
        $forever blpop t 0
        set rd [deferring_client]
        set start [clock milliseconds]
        $rd blpop t 0.1
        assert_equal [$rd read] {}
        set took [expr {[clock milliseconds] - $start}]
        assert_range $took 90 3000
        $rd brpoplpush t t2 0.05
        assert_equal [$rd read] {}
        $rd blmove t t2 left right 0.05
        assert_equal [$rd read] {}
        $rd blmpop 0.05 2 t t2 left count 2
        assert_equal [$rd read] {}
        $rd brpop t 0.001
        assert_equal [$rd read] {}
        assert_equal [blocked_count] 1
        assert_equal [r exists t2] 0
        r rpush t last
        assert_equal [$forever read] {t last}
        $forever close
        $rd close
    }

    test {timeout replies: RESP2 *-1, RESP3 _} {
        set rd [deferring_client]
        $rd blpop nokey 0.02
        assert_equal [$rd read_raw] "*-1\r\n"
        $rd hello 3
        $rd read
        $rd blpop nokey 0.02
        assert_equal [$rd read_raw] "_\r\n"
        $rd blmove nokey d left left 0.02
        assert_equal [$rd read_raw] "_\r\n"
        $rd close
    }

    test {a timed-out client runs its pipelined input afterwards} {
        set rd [deferring_client]
        $rd raw [string cat [resp_encode {blpop nokey 0.05}] [resp_encode {echo after}]]
        assert_equal [$rd read] {}
        assert_equal [$rd read] after
        $rd close
    }

    test {BLMOVE and BRPOPLPUSH are served into their destination} {
        r del src dst
        set rd [deferring_client]
        $rd blmove src dst right left 0
        wait_blocked 1
        r rpush src a b c
        assert_equal [$rd read] c
        assert_equal [r lrange src 0 -1] {a b}
        assert_equal [r lrange dst 0 -1] {c}
        r del src
        $rd brpoplpush src dst 0
        wait_blocked 1
        r lpush src z
        assert_equal [$rd read] z
        assert_equal [r lrange dst 0 -1] {z c}
        assert_equal [r exists src] 0
        $rd close
    }

    test {chained blocking: BLMOVE into a key another client waits on} {
        r del s1 s2
        set a [deferring_client]
        set b [deferring_client]
        $a blmove s1 s2 left right 0
        wait_blocked 1
        $b blpop s2 0
        wait_blocked 2
        r rpush s1 x
        assert_equal [$a read] x
        assert_equal [$b read] {s2 x}
        assert_equal [r exists s1] 0
        assert_equal [r exists s2] 0
        $a close
        $b close
    }

    test {RPOPLPUSH and LMOVE wake a client waiting on the destination} {
        r del from to
        r rpush from 1 2
        set rd [deferring_client]
        $rd blpop to 0
        wait_blocked 1
        assert_equal [r rpoplpush from to] 2
        assert_equal [$rd read] {to 2}
        $rd blpop to 0
        wait_blocked 1
        assert_equal [r lmove from to left left] 1
        assert_equal [$rd read] {to 1}
        $rd close
    }

    test {BLMPOP is served with its COUNT, from the side asked} {
        r del m1 m2
        set rd [deferring_client]
        $rd blmpop 0 2 m1 m2 right count 2
        wait_blocked 1
        r rpush m2 1 2 3
        assert_equal [$rd read] {m2 {3 2}}
        assert_equal [r lrange m2 0 -1] {1}
        $rd close
    }

    test {BLMOVE into a destination of another type: the waiter gets WRONGTYPE, source kept} {
        r del ws wd
        set rd [deferring_client]
        $rd blmove ws wd left left 0
        wait_blocked 1
        r set wd str
        r rpush ws a
        catch {$rd read} err
        assert_match {WRONGTYPE*} $err
        assert_equal [r lrange ws 0 -1] {a}
        wait_blocked 0
        $rd close
    }

    test {a key of another type does not wake list waiters} {
        r del wk
        set rd [deferring_client]
        $rd blpop wk 0
        wait_blocked 1
        r set wk str
        r del wk
        r sadd wk m
        r del wk
        assert_equal [blocked_count] 1
        r rpush wk ok
        assert_equal [$rd read] {wk ok}
        $rd close
    }

    test {waiters in another database are not woken} {
        r del d
        set rd [deferring_client]
        $rd select 1
        assert_equal [$rd read] OK
        $rd blpop d 0
        wait_blocked 1
        r rpush d db0
        assert_equal [blocked_count] 1
        r select 1
        r rpush d db1
        assert_equal [$rd read] {d db1}
        r select 0
        assert_equal [r lrange d 0 -1] {db0}
        $rd close
    }

    test {a blocked client killed with CLIENT KILL: nothing consumed, server healthy} {
        r del kk kk2 kk3
        set rd [deferring_client]
        $rd client id
        set id [$rd read]
        $rd blpop kk kk2 kk3 0
        wait_blocked 1
        assert_equal [r client kill id $id] 1
        wait_blocked 0
        r rpush kk v
        assert_equal [r lrange kk 0 -1] {v}
        assert_equal [r ping] PONG
        $rd close
    }

    test {blocked clients that disconnect leave nothing behind} {
        r del gone
        set clients {}
        for {set i 0} {$i < 20} {incr i} {
            set rd [deferring_client]
            if {$i % 2} { $rd blpop gone other$i 0 } else { $rd blmove gone dest$i left left 5 }
            lappend clients $rd
        }
        wait_blocked 20
        foreach rd $clients { $rd close }
        wait_blocked 0
        r rpush gone v
        assert_equal [r lrange gone 0 -1] {v}
        assert_equal [llength [r keys dest*]] 0
        # the waiting lists were freed: a new waiter is served alone
        r del gone
        set rd [deferring_client]
        $rd blpop gone 0
        wait_blocked 1
        r rpush gone w
        assert_equal [$rd read] {gone w}
        $rd close
    }

    test {timeout arguments: errors, and a huge timeout still blocks} {
        assert_error {*timeout is negative*} {r blpop k -1}
        assert_error {*timeout is not a float or out of range*} {r blpop k abc}
        assert_error {*timeout is negative*} {r brpoplpush a b 1e30}
        r del big
        set rd [deferring_client]
        $rd blpop big 9223372036854775
        wait_blocked 1
        r rpush big b
        assert_equal [$rd read] {big b}
        $rd close
    }

    test {many waiters on many keys, pushes in random order: every element delivered once} {
        set keys {w0 w1 w2 w3 w4}
        r del {*}$keys
        set clients {}
        for {set i 0} {$i < 30} {incr i} {
            set rd [deferring_client]
            # every client waits on all keys, each in its own order
            set n [expr {$i % 5}]
            $rd blpop {*}[lrange $keys $n end] {*}[lrange $keys 0 [expr {$n - 1}]] 0
            lappend clients $rd
        }
        wait_blocked 30
        set want {}
        for {set i 0} {$i < 30} {incr i} {
            r rpush [lindex $keys [randomInt 5]] e$i
            lappend want e$i
        }
        set got {}
        foreach rd $clients {
            lappend got [lindex [$rd read] 1]
            $rd close
        }
        assert_equal [lsort $got] [lsort $want]
        assert_equal [blocked_count] 0
        foreach k $keys { assert_equal [r exists $k] 0 }
    }
}

# Keys that appear without a push (Redis's dbAdd signals them), INFO
# blocked_clients and CLIENT UNBLOCK.
start_server {tags {list blocking}} {

    test {RENAME, COPY and MOVE of a list into a key a BLPOP waits on wake it} {
        r del k src dst
        r select 2
        r del k
        r rpush k fromdb2
        r select 0
        set rd [deferring_client]
        $rd blpop k 0
        wait_blocked 1
        r rpush src renamed
        assert_equal [r rename src k] OK
        assert_equal [$rd read] {k renamed}
        assert_equal [r exists src k] 0
        $rd brpop k 0
        wait_blocked 1
        r rpush src copied
        assert_equal [r copy src k] 1
        assert_equal [$rd read] {k copied}
        assert_equal [r lrange src 0 -1] {copied}
        $rd blmove k dst left left 0
        wait_blocked 1
        r select 2
        assert_equal [r move k 0] 1
        r select 0
        assert_equal [$rd read] fromdb2
        assert_equal [r lrange dst 0 -1] {fromdb2}
        $rd close
    }

    test {COPY REPLACE and RENAME over a key of another type wake the waiter; other types do not} {
        r del k src
        set rd [deferring_client]
        $rd blpop k 0
        wait_blocked 1
        r set k str
        r sadd src m
        r rename src k
        assert_equal [blocked_count] 1
        r del k
        r rpush src a
        r set k str
        assert_equal [r copy src k replace] 1
        assert_equal [$rd read] {k a}
        $rd blpop k 0
        wait_blocked 1
        r set k str
        r del src
        r rpush src b
        r rename src k
        assert_equal [$rd read] {k b}
        $rd close
    }

    test {INFO blocked_clients counts clients waiting on lists and sorted sets} {
        assert_equal [get_info_field [r info clients] blocked_clients] 0
        set a [deferring_client]
        set b [deferring_client]
        set z [deferring_client]
        $a blpop i1 0
        $b blmove i2 i3 left left 0
        $z bzpopmin i4 0
        wait_for_condition 200 10 {[get_info_field [r info clients] blocked_clients] == 3} else {
            fail "INFO blocked_clients: [get_info_field [r info clients] blocked_clients]"
        }
        r rpush i1 x
        assert_equal [$a read] {i1 x}
        wait_for_condition 200 10 {[get_info_field [r info clients] blocked_clients] == 2} else {
            fail "INFO blocked_clients: [get_info_field [r info clients] blocked_clients]"
        }
        $b close
        $z close
        wait_for_condition 200 10 {[get_info_field [r info clients] blocked_clients] == 0} else {
            fail "INFO blocked_clients: [get_info_field [r info clients] blocked_clients]"
        }
        $a blpop i1 0.02
        assert_equal [$a read] {}
        assert_equal [get_info_field [r info clients] blocked_clients] 0
        $a close
    }

    test {CLIENT UNBLOCK: TIMEOUT (the default) replies as a timeout, ERROR with -UNBLOCKED} {
        r del u u2
        set rd [deferring_client]
        $rd client id
        set id [$rd read]
        $rd blpop u 0
        wait_blocked 1
        assert_equal [r client unblock $id] 1
        assert_equal [$rd read_raw] "*-1\r\n"
        $rd blmove u u2 left right 0
        wait_blocked 1
        assert_equal [r client unblock $id TIMEOUT] 1
        assert_equal [$rd read_raw] "*-1\r\n"
        $rd blmpop 0 1 u left
        wait_blocked 1
        assert_equal [r client unblock $id Error] 1
        assert_equal [$rd read_raw] "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
        $rd hello 3
        $rd read
        $rd brpoplpush u u2 0
        wait_blocked 1
        assert_equal [r client unblock $id timeout] 1
        assert_equal [$rd read_raw] "_\r\n"
        wait_blocked 0
        # not blocked, unknown, or itself: 0
        assert_equal [r client unblock $id] 0
        assert_equal [r client unblock 999999] 0
        assert_equal [r client unblock [r client id]] 0
        # nothing was consumed and nobody waits any more
        r rpush u v
        assert_equal [r lrange u 0 -1] {v}
        assert_equal [r exists u2] 0
        $rd close
    }

    test {CLIENT UNBLOCK: the client runs its held input, and its timer is gone} {
        r del h hx
        set rd [deferring_client]
        $rd client id
        set id [$rd read]
        $rd raw [string cat [resp_encode {blpop h 0.3}] [resp_encode {rpush hx after}] [resp_encode {ping}]]
        wait_blocked 1
        assert_equal [r exists hx] 0
        assert_equal [r client unblock $id] 1
        assert_equal [$rd read] {}
        assert_equal [$rd read] 1
        assert_equal [$rd read] PONG
        # past the old deadline: no second reply arrives before this one
        after 400
        $rd echo next
        assert_equal [$rd read] next
        assert_equal [r lrange hx 0 -1] {after}
        $rd close
    }

    start_oracle_redis {} {
        test {CLIENT UNBLOCK: argument errors and the unblocked clients' replies match redis} {
            foreach cmd {
                {client unblock} {client unblock 1 timeout x} {client UnBlock 1 2 3} {client unblock x foo}
                {client unblock x} {client unblock 1x timeout} {client unblock -5} {client unblock 999999 error}
                {client unblock 999999 timeout}
            } { assert_same $cmd }
            foreach {form cmd} {{} {blpop nk 0} error {blmove nk d left left 0} timeout {brpop nk nk2 0}
                                error {bzpopmin nk 0} {} {bzmpop 0 1 nk max}} {
                set rd [deferring_client]
                set od [resp_client 127.0.0.1 [oracle_srv port] -deferred 1]
                set ids {}
                foreach d [list $rd $od] {
                    $d client id
                    lappend ids [$d read]
                    $d {*}$cmd
                }
                wait_for_condition 200 10 {
                    [get_info_field [r info clients] blocked_clients] == 1 &&
                    [get_info_field [oracle info clients] blocked_clients] == 1
                } else { fail "$cmd did not block on both" }
                assert_equal [r client unblock [lindex $ids 0] {*}$form] [oracle client unblock [lindex $ids 1] {*}$form]
                assert_equal [$rd read_raw] [$od read_raw]
                $rd close
                $od close
            }
        }
    }
}
