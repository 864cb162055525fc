# tests/integration/mc-cross.tcl: the Memcached protocol on the node's own
# keyspace, where memcached itself cannot be the oracle: one keyspace with
# RESP (values, flags, CAS, expiry seen from both sides), memcached time
# following the node's clock (DEBUG JUMP), delayed flush_all, eviction
# under maxmemory, the mc-* options, and the `stats` counters.

# mcq line...: send the lines and "mn" on the server's mc client; returns
# the reply lines before "MN".
proc mcq {args} {
    foreach l $args { mc send "$l\r\n" }
    mc send "mn\r\n"
    set out {}
    while {[set l [mc read_line]] ne "MN"} { lappend out $l }
    return $out
}

# The value of one `stats` field.
proc mc_stat {name {sub {}}} {
    foreach l [mcq [string trim "stats $sub"]] {
        if {[lindex $l 0] eq "STAT" && [lindex $l 1] eq $name} { return [lindex $l 2] }
    }
    error "no stat $name"
}

# CAS unique of a key, from gets.
proc mc_cas {key} {
    set r [mcq "gets $key"]
    if {![regexp {^VALUE \S+ \d+ \d+ (\d+)$} [lindex $r 0] -> cas]} { error "no cas in $r" }
    return $cas
}

start_server {mc-port auto tags {memcached}} {

    test {one keyspace: memcached set, RESP get and the reverse} {
        assert_equal [mcq "set k 5 0 3" "abc"] STORED
        assert_equal [r get k] abc
        r set r1 hello
        assert_equal [mcq "get r1"] {{VALUE r1 0 5} hello END}
        r set n 10
        assert_equal [mcq "incr n 5"] 15
        assert_equal [r get n] 15
        r incr n
        assert_equal [mcq "get n"] {{VALUE n 0 2} 16 END}
        assert_equal [mcq "append k 0 0 2" "de"] STORED
        assert_equal [r get k] abcde
        r append k fg
        assert_equal [mcq "get k"] {{VALUE k 5 7} abcdefg END}
        assert_equal [mcq "delete r1"] DELETED
        assert_equal [r exists r1] 0
        r del k
        assert_equal [mcq "get k"] END
    }

    test {flags survive RESP edits and vanish with a RESP SET} {
        mcq "set f 4294967295 0 1" "x"
        r append f y
        assert_equal [mcq "get f"] {{VALUE f 4294967295 2} xy END}
        r set f z
        assert_equal [mcq "get f"] {{VALUE f 0 1} z END}
        assert_equal [mcq "mg f f v"] {{VA 1 f0} z}
    }

    test {memcached clients use database 0} {
        r select 1
        r set only1 x
        r select 0
        assert_equal [mcq "get only1"] END
        mcq "set only0 0 0 1" "y"
        r select 1
        assert_equal [r exists only0] 0
        r select 0
        assert_equal [r get only0] y
    }

    test {CAS changes on every write from either side, not on touch} {
        mcq "set c 0 0 1" "1"
        set c1 [mc_cas c]
        r set c 2
        set c2 [mc_cas c]
        assert {$c2 != $c1}
        r incr c
        set c3 [mc_cas c]
        assert {$c3 != $c2}
        r append c 0
        set c4 [mc_cas c]
        assert {$c4 != $c3}
        assert_equal [mcq "cas c 0 0 1 $c1" "x"] EXISTS
        assert_equal [mcq "touch c 100"] TOUCHED
        assert_equal [mc_cas c] $c4
        mcq "gat 200 c"
        assert_equal [mc_cas c] $c4
        assert_equal [mcq "cas c 0 0 1 $c4" "8"] STORED
        set c5 [mc_cas c]
        assert {$c5 != $c4}
        assert_equal [mcq "incr c 0"] 8
        assert {[mc_cas c] != $c5}
        r set c 7
        assert_equal [mcq "cas c 0 0 1 $c5" "z"] EXISTS
        set c6 [lindex [mcq "mg c c"] 0]
        regexp {c(\d+)} $c6 -> c6
        assert_equal [mcq "ms c 1 C$c6 c" "w"] [list "HD c[mc_cas c]"]
        assert_equal [mcq "md c C1"] EX
        assert_equal [mcq "md c C[mc_cas c]"] HD
    }

    test {expiry set on one side is seen on the other} {
        r debug set-active-expire 0
        mcq "set e1 0 100 1" "1"
        assert_range [r ttl e1] 99 100
        r set e2 v ex 50
        assert_range [string range [lindex [mcq "mg e2 t"] 0] 4 end] 49 50
        r expire e1 10
        assert_range [string range [lindex [mcq "mg e1 t"] 0] 4 end] 9 10
        mcq "touch e2 0"
        assert_equal [r ttl e2] -1
        r debug jump 11000
        assert_equal [mcq "get e1"] END
        assert_equal [r exists e1] 0
        assert_equal [r get e2] v
        mcq "set e3 0 30 1" "3"
        r debug jump 28000
        assert_equal [mcq "get e3"] {{VALUE e3 0 1} 3 END}
        r debug jump 2500
        assert_equal [r exists e3] 0
        r debug reset-clock
        r debug set-active-expire 1
    }

    test {memcached time follows the node clock: relative, absolute, gat, me} {
        set before [mc_stat get_expired]
        mcq "set t1 0 10 1" "1"
        set abs [expr {[clock seconds] + 100}]
        mcq "set t2 0 $abs 1" "2"
        r debug jump 8000
        assert_equal [lindex [mcq "get t1"] 0] {VALUE t1 0 1}
        r debug jump 3000
        assert_equal [mcq "get t1"] END
        assert_equal [mc_stat get_expired] [expr {$before + 1}]
        assert_equal [lindex [mcq "get t2"] 0] {VALUE t2 0 1}
        assert_equal [lindex [mcq "gat 1000 t2"] 0] {VALUE t2 0 1}
        r debug jump 200000
        assert_equal [lindex [mcq "get t2"] 0] {VALUE t2 0 1}
        assert_match {ME t2 exp=-* la=* cas=* fetch=yes cls=1 size=*} [lindex [mcq "me t2"] 0]
        r debug jump 1000000
        assert_equal [mcq "get t2"] END
        r debug reset-clock
    }

    test {mg h and l report the state before the hit} {
        mcq "set h 0 0 1" "1"
        r debug jump 5000
        # idle seconds are whole seconds of the clock: 5 s may read as 6
        assert_match {HD h0 l[56]} [lindex [mcq "mg h h l"] 0]
        assert_match {HD h1 l[01]} [lindex [mcq "mg h h l"] 0]
        r debug jump 3000
        set l [lindex [mcq "mg h u l"] 0]
        assert_match {HD l[34]} $l
        assert_equal [lindex [mcq "mg h l"] 0] $l
        r debug reset-clock
    }

    test {flush_all with a delay: old items go when it passes, new ones stay (E14)} {
        mcq "set old 0 0 1" "1"
        r select 3
        r set otherdb x
        r select 0
        assert_equal [mcq "flush_all 10"] OK
        assert_equal [lindex [mcq "get old"] 0] {VALUE old 0 1}
        r debug jump 11000
        assert_equal [mcq "get old"] END
        mcq "set new 0 0 1" "2"
        assert_equal [lindex [mcq "get new"] 0] {VALUE new 0 1}
        r select 3
        assert_equal [r get otherdb] x
        r select 0
        r debug reset-clock
    }

    test {a delayed flush also happens without memcached traffic} {
        mcq "set old2 0 0 1" "1"
        assert_equal [mcq "flush_all 5"] OK
        r debug jump 6000
        wait_for_condition 50 20 {[r exists old2] == 0} else {
            fail "old2 still there after the flush point"
        }
        r debug reset-clock
    }

    test {a later flush_all replaces a pending one} {
        mcq "set p 0 0 1" "1"
        mcq "flush_all 100"
        assert_equal [mcq "flush_all 0"] OK
        mcq "set p 0 0 1" "2"
        r debug jump 101000
        assert_equal [lindex [mcq "get p"] 0] {VALUE p 0 1}
        r debug reset-clock
    }

    test {stats counters} {
        mcq "stats reset"
        mcq "flush_all"
        mcq "set a 0 0 1" "1" "get a" "get a b" "gets zz" "delete a" "delete a" \
            "set n 0 0 1" "5" "incr n 1" "incr zz 1" "decr n 1" "decr zz 1" \
            "touch n 10" "touch zz 10" "cas n 0 0 1 1" "x" "cas zz 0 0 1 1" "x" \
            "mg n v" "mg zz v"
        set c [mc_cas n]
        mcq "cas n 0 0 1 $c" "y"
        foreach {name want} {cmd_get 7 get_hits 4 get_misses 3 cmd_set 5 delete_hits 1
                delete_misses 1 incr_hits 1 incr_misses 1 decr_hits 1 decr_misses 1
                cmd_touch 2 touch_hits 1 touch_misses 1 cas_hits 1 cas_misses 1
                cas_badval 1 curr_items 1 total_items 3 threads 1} {
            assert_equal [mc_stat $name] $want "stat $name"
        }
        assert_equal [mc_stat item_size_max settings] 1048576
        assert_equal [mc_stat shutdown_command settings] no
        assert_equal [mc_stat items:1:number items] 1
        assert_equal [mcq "stats reset"] RESET
        assert_equal [mc_stat cmd_get] 0
    }

    test {a key of another type is a miss, a set replaces it} {
        # Needs a RESP command that makes a non-string key.
        set made {}
        foreach cmd {{rpush o x} {lpush o x} {hset o f v} {sadd o x} {zadd o 1 x}} {
            if {![catch {r {*}$cmd}]} { set made $cmd; break }
        }
        if {$made eq {}} {
            puts "  (no list/hash/set/zset command in this build: checked the miss path only)"
            assert_equal [mcq "get o"] END
        } else {
            assert_equal [mcq "get o" "gets o" "mg o v" "incr o 1" "touch o 1" "append o 0 0 1" "x"] \
                {END END EN NOT_FOUND NOT_FOUND NOT_STORED} "$made"
            assert_equal [mcq "add o 0 0 1" "x" "replace o 0 0 1" "x"] {NOT_STORED NOT_STORED}
            assert_equal [mcq "me o" "delete o"] {EN NOT_FOUND}
            assert_equal [r exists o] 1
            assert_equal [mcq "set o 0 0 1" "s"] STORED
            assert_equal [r type o] string
        }
    }

    test {the connection closes after quit and on an overlong line} {
        set c [mc_client 127.0.0.1 [srv mc_port]]
        $c send "set q 0 0 1\r\n1\r\nquit\r\nget q\r\n"
        assert_equal [$c read_eof] "STORED\r\n"
        $c close
        set c [mc_client 127.0.0.1 [srv mc_port]]
        $c send "delete [string repeat x 3000]"
        assert_equal [$c read_eof] ""
        $c close
    }

    test {a value arriving in pieces, and a swallowed refused block} {
        set c [mc_client 127.0.0.1 [srv mc_port]]
        set v [string repeat abcdefgh 40000]
        $c send "set big 0 0 [string length $v]\r\n"
        for {set i 0} {$i < [string length $v]} {incr i 50000} {
            $c send [string range $v $i [expr {$i + 49999}]]
            after 5
        }
        $c send "\r\n"
        assert_equal [$c read_line] STORED
        assert_equal [r strlen big] [string length $v]
        set w [string repeat z 2000000]
        $c send "set big 0 0 [string length $w]\r\n"
        assert_equal [$c read_line] "SERVER_ERROR object too large for cache"
        $c send [string range $w 0 999999]
        after 20
        $c send "[string range $w 1000000 end]\r\nget big\r\n"
        assert_equal [$c read_line] END
        $c close
    }
}

start_server {mc-port auto maxmemory 3mb maxmemory-policy allkeys-lru tags {memcached}} {
    test {memcached-style LRU: sets never fail, evictions are counted} {
        set v [string repeat x 10000]
        set bad 0
        for {set i 0} {$i < 1000} {incr i} {
            mc send "set lru$i 0 0 [string length $v]\r\n$v\r\n"
            if {[mc read_line] ne "STORED"} { incr bad }
        }
        assert_equal $bad 0
        assert {[mc_stat evictions] > 100}
        assert_equal [lindex [mcq "get lru999"] 0] "VALUE lru999 0 10000"
        assert {[mc_stat curr_items] < 1000}
        assert_equal [mc_stat limit_maxbytes] [expr {3 * 1024 * 1024}]
    }
}

start_server {mc-port auto maxmemory 3mb maxmemory-policy noeviction tags {memcached}} {
    test {no eviction possible: out of memory, and set leaves no stale value (E10)} {
        mcq "set keep 0 0 3" "old"
        set v [string repeat x 10000]
        set oom 0
        for {set i 0} {$i < 500 && !$oom} {incr i} {
            mc send "set fill$i 0 0 [string length $v]\r\n$v\r\n"
            if {[mc read_line] eq "SERVER_ERROR out of memory storing object"} { set oom 1 }
        }
        assert_equal $oom 1
        assert_equal [mcq "set keep 0 0 3" "new"] {{SERVER_ERROR out of memory storing object}}
        assert_equal [mcq "get keep"] END
        assert {[mc_stat store_no_memory] >= 2}
        assert_equal [mcq "add keep 0 0 1" "x" "ms keep 1 ME" "x"] \
            {{SERVER_ERROR out of memory storing object} {SERVER_ERROR out of memory storing object}}
    }
}

start_server {mc-port auto mc-shutdown yes mc-flush-all no item-size-max 2kb mc-meta-new-flags yes tags {memcached}} {
    test {mc-flush-all no answers flush_all with an error (memcached -F)} {
        mcq "set k 0 0 1" "1"
        assert_equal [mcq "flush_all" "flush_all 10" "flush_all x"] \
            [lrepeat 3 "CLIENT_ERROR flush_all not allowed"]
        assert_equal [lindex [mcq "get k"] 0] "VALUE k 0 1"
        assert_equal [mc_stat flush_enabled settings] no
    }

    test {item-size-max bounds items (memcached -I)} {
        set ok [string repeat v 1900]
        set big [string repeat v 2100]
        assert_equal [mcq "set s 0 0 1900" $ok] STORED
        assert_equal [mcq "set s 0 0 2100" $big] {{SERVER_ERROR object too large for cache}}
        assert_equal [mcq "get s"] END
        mcq "set s 0 0 1900" $ok
        assert_equal [mcq "append s 0 0 200" [string repeat w 200]] NOT_STORED
        assert_equal [mc_stat item_size_max settings] 2048
    }

    test {mc-meta-new-flags: E sets the CAS, md x empties the value} {
        assert_equal [mcq "ms e 2 E12345 c" "ab"] {{HD c12345}}
        assert_equal [mc_cas e] 12345
        assert_equal [mcq "mg v1 N0 E777 c"] {{HD c777 W}}
        assert_equal [mcq "ma e2 N0 J1 E999 c"] {{HD c999}}
        assert_equal [mcq "ma e2 E1000 c v"] {{VA 1 c1000} 2}
        assert_equal [mcq "md e2 I E4242" "mg e2 c"] [list HD "HD c4242 X W"]
        mcq "set x 9 0 3" "abc"
        assert_equal [mcq "md x x" "mg x s f v"] {HD {VA 0 s0 f9} {}}
    }

}

set mport [find_available_port]
start_server [list tags {memcached} args [list -p $mport -m 64 -c 100 -I 2m -t 4 -A -F -l 127.0.0.1]] {
    test {memcached command-line flags map to the options} {
        foreach {name want} [list mc-port $mport maxmemory [expr {64 * 1024 * 1024}] \
                maxmemory-policy allkeys-lru maxclients 100 item-size-max [expr {2 * 1024 * 1024}] \
                mc-shutdown yes mc-flush-all no bind 127.0.0.1] {
            assert_equal [r config get $name] [list $name $want]
        }
        set c [mc_client 127.0.0.1 $mport]
        assert_equal [$c cmd version] "VERSION 1.6.18"
        assert_equal [$c cmd flush_all] "CLIENT_ERROR flush_all not allowed"
        $c close
    }
}

test {bad memcached flags are refused at start} {
    foreach bad {{-I 2x} {-p}} {
        catch {exec $::server_binary {*}$bad 2>@1} out
        assert_match {*FATAL CONFIG ERROR*} $out
    }
}

# shutdown ends the process, which the harness would report as a crash of a
# start_server node: this one is started by hand.
test {mc-shutdown yes: shutdown stops the node (memcached -A)} {
    set port [find_available_port]
    set mport [find_available_port]
    set dir [::harness::new_dir shutdown]
    set pid [::harness::spawn [list $::server_binary --port $port --bind 127.0.0.1 \
        --mc-port $mport --mc-shutdown yes --dir $dir --logfile $dir/stdout.log] $dir/stderr.log]
    try {
        wait_for_condition 250 20 {![catch {close [socket 127.0.0.1 $mport]}]} else {
            fail "shoal-server did not open its mc-port"
        }
        set c [mc_client 127.0.0.1 $mport]
        $c send "shutdown bogus\r\nversion\r\n"
        assert_equal [$c read_line] "CLIENT_ERROR invalid shutdown mode"
        assert_equal [$c read_line] "VERSION 1.6.18"
        $c send "shutdown\r\nversion\r\n"
        assert_equal [$c read_eof] ""
        $c close
        wait_for_condition 100 50 {![::harness::alive $pid]} else {
            fail "shoal-server still running after shutdown"
        }
    } finally {
        ::harness::stop_pid $pid
    }
}
