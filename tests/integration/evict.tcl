# tests/integration/evict.tcl: maxmemory and the eight eviction policies.
#
# Each test fills the node with no limit, then sets maxmemory (CONFIG SET,
# at runtime) a little above what it uses and keeps writing. Checks are
# deterministic where the policy is (noeviction refuses writes with Redis's
# -OOM text; volatile-* never touch keys without a TTL and refuse once no
# volatile key is left; memory stays under the limit) and statistical with
# wide margins where the policy is approximate (LRU keeps recently read
# keys, LFU keeps often read ones, volatile-ttl evicts short TTLs first).
# The LRU clock has 1 s resolution: DEBUG JUMP ages the keys instead of
# sleeping.

set ::valsize 1000
set ::db 0   ;# the database pipeline, fill and surviving work in

# SETs keys prefix0..prefix(n-1) (with EX ttl+i when ttl > 0); returns the
# replies that were not OK.
proc fill {prefix n {ttl 0} {from 0}} {
    set v [string repeat v $::valsize]
    set cmds {}
    for {set i $from} {$i < $from + $n} {incr i} {
        if {$ttl > 0} {
            lappend cmds [list set $prefix$i $v ex [expr {$ttl + $i}]]
        } else {
            lappend cmds [list set $prefix$i $v]
        }
    }
    set bad {}
    foreach rep [pipeline $cmds $::db] { if {$rep ne "OK"} { lappend bad $rep } }
    return $bad
}

proc used {} { return [get_info_field [r info memory] used_memory] }
proc evicted {} { return [get_info_field [r info stats] evicted_keys] }

# Indexes i in [0, n) for which prefix$i still exists.
proc surviving {prefix n} {
    set cmds {}
    for {set i 0} {$i < $n} {incr i} { lappend cmds [list exists $prefix$i] }
    set out {}
    set i 0
    foreach rep [pipeline $cmds $::db] {
        if {$rep == 1} { lappend out $i }
        incr i
    }
    return $out
}

# maxmemory = what the node uses now plus `room` bytes.
proc limit_to_used_plus {room} {
    set m [expr {[used] + $room}]
    r config set maxmemory $m
    return $m
}

proc reset_node {policy} {
    r config set maxmemory 0
    r flushall
    r debug reset-clock
    r config set maxmemory-policy $policy
    r config resetstat
}

# One write past the check may overshoot by a value; the replies of the
# INFO call itself count too.
set ::slack [expr {4 * $::valsize + 65536}]

start_server {tags {evict}} {
start_oracle_redis {} {

    test {noeviction: writes get redis's -OOM, reads and DEL still work} {
        foreach c {r oracle} {
            $c set k v
            $c set n 1
            $c config set maxmemory-policy noeviction
            $c config set maxmemory 1
        }
        try {
            foreach cmd {{set k2 v} {incr n} {append k x} {setnx k3 v} {mset a 1 b 2} {get k}
                         {exists k} {strlen k} {ttl k} {del k} {get k} {dbsize}} {
                assert_same $cmd
            }
            assert_error {OOM command not allowed when used memory > 'maxmemory'.} {r set k2 v}
        } finally {
            foreach c {r oracle} { $c config set maxmemory 0 }
        }
        assert_equal [r set k2 v] OK
    }
}

    test {noeviction under load: nothing evicted, writes refused past the limit} {
        reset_node noeviction
        assert_equal [fill p: 500] {}
        set m [limit_to_used_plus 200000]
        set bad [fill q: 1000]
        assert {[llength $bad] > 0}
        assert_match {ERR: OOM command not allowed*} [lindex $bad 0]
        assert_equal [evicted] 0
        assert_equal [llength [surviving p: 500]] 500
        assert_equal [r del p:0] 1
        assert_equal [string length [r get p:1]] $::valsize
    }

    foreach policy {allkeys-lru allkeys-lfu allkeys-random} {
        test "$policy: memory stays under maxmemory, keys are evicted" {
            reset_node $policy
            assert_equal [fill a: 2000] {}
            set m [limit_to_used_plus 300000]
            for {set round 0} {$round < 4} {incr round} {
                assert_equal [fill b: 500 0 [expr {$round * 500}]] {}
                assert_range [used] 0 [expr {$m + $::slack}]
            }
            assert {[evicted] >= 1500}
            set n [r dbsize]
            assert_range $n 1000 3000
            assert_equal $n [expr {4000 - [evicted]}]
        }
    }

    foreach policy {volatile-lru volatile-lfu volatile-random volatile-ttl} {
        test "$policy: only keys with a TTL are evicted, then -OOM" {
            reset_node $policy
            assert_equal [fill p: 1000] {}
            assert_equal [fill v: 1000 100000] {}
            set m [limit_to_used_plus 300000]
            # more volatile keys: volatile ones make room
            assert_equal [fill w: 500 100000] {}
            assert_range [used] 0 [expr {$m + $::slack}]
            assert {[evicted] > 0}
            assert_equal [llength [surviving p: 1000]] 1000
            # persistent keys now: volatile ones go until none is left
            set bad [fill n: 3000]
            assert {[llength $bad] > 0}
            assert_match {ERR: OOM command not allowed*} [lindex $bad 0]
            assert_match {*expires=0*} [get_info_field [r info keyspace] db0]
            assert_equal [llength [surviving p: 1000]] 1000
            assert_range [used] 0 [expr {$m + $::slack}]
        }
    }

    test {volatile-ttl evicts the shortest TTLs first} {
        reset_node volatile-ttl
        # v:i expires in 100000+i seconds: low i = short TTL
        assert_equal [fill v: 1000 100000] {}
        limit_to_used_plus 100000
        assert_equal [fill p: 400] {}
        set alive [surviving v: 1000]
        set dead [expr {1000 - [llength $alive]}]
        assert_range $dead 300 700
        # of the shortest-lived half, most are gone; of the longest, most stay
        set low_alive 0
        set high_alive 0
        foreach i $alive { if {$i < 500} { incr low_alive } else { incr high_alive } }
        assert {$high_alive > 2 * $low_alive + 100}
        assert_range $high_alive 400 500
    }

    test {allkeys-lru keeps the keys read recently} {
        reset_node allkeys-lru
        assert_equal [fill k: 1000] {}
        # age every key by 100 s, then read the first 200 (hot)
        r debug jump 100000
        set cmds {}
        for {set i 0} {$i < 200} {incr i} { lappend cmds [list get k:$i] }
        pipeline $cmds $::db
        limit_to_used_plus 50000
        assert_equal [fill new: 500] {}
        set alive [surviving k: 1000]
        set hot 0
        set cold 0
        foreach i $alive { if {$i < 200} { incr hot } else { incr cold } }
        assert {[evicted] >= 400}
        # untouched keys are the ones to go: at least 95% of hot ones stay,
        # while more than half of the cold ones were evicted
        assert_range $hot 190 200
        assert_range $cold 0 400
    }

    test {allkeys-lfu keeps the keys read often} {
        reset_node allkeys-lfu
        assert_equal [fill k: 1000] {}
        set cmds {}
        for {set j 0} {$j < 30} {incr j} {
            for {set i 0} {$i < 200} {incr i} { lappend cmds [list get k:$i] }
        }
        pipeline $cmds $::db
        assert_range [r object freq k:0] 6 255
        assert_equal [r object freq k:999] 5
        limit_to_used_plus 50000
        # new keys start at the same count as the cold ones: both go
        assert_equal [fill new: 1000] {}
        set alive [surviving k: 1000]
        set hot 0
        set cold 0
        foreach i $alive { if {$i < 200} { incr hot } else { incr cold } }
        assert {[evicted] >= 900}
        assert_range $hot 190 200
        assert_range $cold 0 600
    }

    test {random policies spread evictions over all databases} {
        foreach policy {allkeys-random volatile-random} {
            reset_node $policy
            set ttl [expr {$policy eq "volatile-random" ? 100000 : 0}]
            foreach ::db {0 9} { assert_equal [fill k: 1000 $ttl] {} }
            set ::db 0
            limit_to_used_plus 100000
            assert_equal [fill new: 600 $ttl] {}
            set left0 [llength [surviving k: 1000]]
            set ::db 9
            set left9 [llength [surviving k: 1000]]
            set ::db 0
            # both databases gave keys, neither was emptied first
            assert_range $left0 100 950
            assert_range $left9 100 950
        }
    }

    test {lowering maxmemory at runtime evicts on the next write} {
        reset_node allkeys-random
        assert_equal [fill k: 2000] {}
        set half [expr {[used] / 2}]
        r config set maxmemory $half
        assert_equal [r set trigger x] OK
        assert_range [used] 0 [expr {$half + $::slack}]
        assert_range [r dbsize] 500 1500
        r config set maxmemory 0
    }

    test {lowering maxmemory at runtime evicts on the next read too} {
        reset_node allkeys-random
        assert_equal [fill k: 2000] {}
        set half [expr {[used] / 2}]
        r config set maxmemory $half
        r get k:1
        assert_range [used] 0 [expr {$half + $::slack}]
        assert_range [r dbsize] 500 1500
        r config set maxmemory 0
    }
}
