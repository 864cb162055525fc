# tests/integration/set.tcl: the set commands (SADD SREM SMOVE SISMEMBER
# SMISMEMBER SCARD SPOP SRANDMEMBER SMEMBERS SINTER SINTERCARD SINTERSTORE
# SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN) and their encodings.
#
# Differential against redis-server 7.0.15: raw reply bytes where Redis's
# order is defined (intsets iterate ascending in both, errors, integers),
# sorted replies where it is not (hashtables). SPOP and SRANDMEMBER are
# random, so they are checked by properties, and the random test mirrors
# what SPOP removed onto the oracle with SREM to stay in step.

proc keys_same {args} {
    foreach k $args {
        same_sorted [list smembers $k]
        assert_same [list exists $k]
        assert_same [list type $k]
        same_encoding $k
    }
}

proc set_max_intset {n} {
    both config set set-max-intset-entries $n
}

start_server {tags {sets}} {
start_oracle_redis {} {

    test {SADD SCARD SISMEMBER SMEMBERS on an intset, replies as redis} {
        del_both s
        same {
            {sadd s 3 1 2} {sadd s 2 4} {scard s} {sismember s 2} {sismember s 5}
            {sismember s 02} {sismember s abc} {smembers s} {object encoding s}
            {sadd s -1 -32768 32767 -32769 32768 2147483647 -2147483648}
            {smembers s} {sadd s 2147483648 -2147483649 9223372036854775807}
            {sadd s -9223372036854775808} {smembers s} {object encoding s}
            {scard s} {sismember s -9223372036854775808} {sismember s 9223372036854775808}
        }
    }

    test {Intset widths: members keep order across every upgrade and removal} {
        del_both s
        foreach v {5 -5 70000 -70000 5000000000 -5000000000 0 100 -100} {
            assert_same [list sadd s $v]
            assert_same {smembers s}
        }
        foreach v {5000000000 -70000 0 5 -5000000000 7} {
            assert_same [list srem s $v]
            assert_same {smembers s}
        }
        same_encoding s
    }

    test {Non-canonical integers are strings: the set becomes a hashtable} {
        foreach v {01 -0 +1 { 1} {1 } 9223372036854775808 -9223372036854775809 1.0 0x1 {}} {
            del_both s
            same [list {sadd s 1 2} [list sadd s $v] {object encoding s} {scard s} [list sismember s $v]]
            same_sorted {smembers s}
        }
        del_both s
        same {{sadd s abc 1} {object encoding s} {sismember s 1} {sismember s 01}}
    }

    test {A first non-integer member makes a hashtable; binary members are kept exactly} {
        del_both s
        same [list {sadd s a} {object encoding s} [list sadd s "x\x00y" "x\x00z" "\xff"] \
                  [list sismember s "x\x00y"] [list sismember s "x"] {scard s}]
        same_sorted {smembers s}
        set big [string repeat x 5000]
        same [list [list sadd s $big] [list sismember s $big] [list srem s $big] {scard s}]
    }

    test {SREM: counts, missing members and keys, empty set deleted} {
        del_both s h
        same {
            {srem s 1} {sadd s 1 2 3} {srem s 1 1 9 x} {smembers s} {srem s 2 3 4}
            {exists s} {sadd h a b 1} {srem h a 1 zz} {object encoding h}
            {srem h b} {exists h} {srem h b}
        }
    }

    test {set-max-intset-entries: conversion past the limit, never back} {
        del_both s
        set_max_intset 4
        same {{sadd s 1 2 3 4} {object encoding s} {sadd s 4} {object encoding s}
              {sadd s 5} {object encoding s} {srem s 5 4 3} {object encoding s} {scard s}}
        del_both s
        same {{sadd s 1 2 3 4 5 6} {object encoding s}}
        del_both s
        same {{sadd s 1 2 3 4} {config set set-max-intset-entries 2} {sadd s 1}
              {object encoding s} {sadd s 9} {object encoding s}}
        set_max_intset 0
        del_both s
        same {{sadd s 1} {object encoding s}}
        set_max_intset 512
        del_both s
        set args {}
        for {set i 0} {$i < 512} {incr i} { lappend args [expr {$i * 3}] }
        assert_same [list sadd s {*}$args]
        same_encoding s
        same {{sadd s 0} {object encoding s} {sadd s 1} {object encoding s} {scard s}}
        same {{config get set-max-intset-entries} {config set set-max-intset-entries -1}
              {config set set-max-intset-entries abc}}
    }

    test {Arity and WRONGTYPE errors of every set command} {
        del_both str s
        both set str x
        both sadd s 1
        same {
            {sadd s} {srem s} {smove a b} {sismember s} {smismember s} {scard}
            {spop} {srandmember} {smembers} {sinter} {sintercard 1} {sinterstore d}
            {sunion} {sunionstore d} {sdiff} {sdiffstore d} {sscan s}
            {sadd str 1} {srem str 1} {smove str s 1} {smove s str 1} {sismember str 1}
            {smismember str 1} {scard str} {spop str} {spop str 2} {srandmember str}
            {srandmember str 2} {smembers str} {sinter str} {sinter s str} {sinter nokey str}
            {sintercard 1 str} {sintercard 2 nokey str} {sinterstore d str} {sinterstore d nokey str}
            {sunion str} {sunion nokey str} {sunionstore d s str} {sdiff str} {sdiff nokey str}
            {sdiff s str} {sdiffstore d s str} {sscan str 0} {exists d}
        }
    }

    test {SMISMEMBER and SCARD on missing keys, mixed members} {
        del_both s h
        both sadd s 1 2 3
        both sadd h a b
        same {{smismember s 1 9 x 3} {smismember nokey 1 2} {smismember h a c b} {scard nokey}
              {sismember nokey 1}}
    }

    test {SMOVE: every path, encodings of source and destination} {
        del_both a b str
        both set str x
        same {
            {smove nokey b 1} {smove nokey str 1} {sadd a 1 2 x} {smove a str 1} {smove str a 1}
            {smove a a 1} {smove a a 9} {smove a b 9} {exists b} {smove a b 1} {smembers b}
            {object encoding b} {smove a b x} {object encoding b} {smove a b 2} {exists a}
            {scard b} {smove a b 2}
        }
        del_both a b
        same {{sadd a x y} {smove a b x} {object encoding b} {sadd c 1 2} {smove c a 1}
              {smove a c y} {object encoding c} {smembers a}}
        same_sorted {smembers c}
        del_both a b c
    }

    test {SINTER SUNION SDIFF of intsets: raw replies (ascending in both)} {
        del_both a b c
        both sadd a 1 2 3 4 5 6
        both sadd b 4 5 6 7 8
        both sadd c 5 6 9
        same {
            {sinter a b} {sinter a b c} {sinter a nokey} {sinter nokey} {sinter a a}
            {sunion a b} {sunion a b c nokey} {sunion nokey} {sdiff a b} {sdiff a b c}
            {sdiff a nokey} {sdiff nokey a} {sdiff a a} {sdiff b a b} {smembers nokey}
            {sintercard 1 a} {sintercard 2 a b} {sintercard 3 a b c} {sintercard 2 a nokey}
            {sintercard 2 a b limit 1} {sintercard 2 a b limit 0} {sintercard 2 a b limit 10}
            {sintercard 2 a b LIMIT 2}
        }
    }

    test {SINTER SUNION SDIFF of hashtables and mixed sets (sorted)} {
        del_both a b c
        both sadd a x y z 1 2
        both sadd b y z w 2 3
        both sadd c 1 2 3 4
        foreach cmd {
            {sinter a b} {sinter a c} {sinter c a b} {sunion a b c} {sdiff a b} {sdiff a c}
            {sdiff c a} {sdiff a b c} {sunion c} {sinter a}
        } { same_sorted $cmd }
        same {{sintercard 2 a b} {sintercard 3 a b c} {sintercard 2 c a limit 1}}
    }

    test {STORE forms: results, encodings, overwrite of other types, TTL dropped, empty deletes} {
        del_both a b c d
        both sadd a 1 2 3 x
        both sadd b 2 3 4
        both sadd c 3
        same {
            {sinterstore d a b} {object encoding d} {smembers d} {sunionstore d b c} {object encoding d}
            {smembers d} {sunionstore d a b} {object encoding d} {sdiffstore d b a} {smembers d}
            {object encoding d} {set d str} {sinterstore d a b} {type d} {expire d 100}
            {sunionstore d a} {ttl d} {sinterstore d a nokey} {exists d} {set d str}
            {sdiffstore d a a} {exists d} {sunionstore d nokey} {sinterstore a a b} {smembers a}
            {sunionstore b b c a} {smembers b} {sdiffstore c c c} {exists c}
        }
    }

    test {STORE result encodings follow redis's algorithms (SDIFF algorithm 2 keeps a hashtable)} {
        del_both a b c d
        both sadd a 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 x
        both sadd b x
        both sadd c x
        same {{sdiffstore d a b} {object encoding d} {sdiffstore d a b c} {object encoding d}
              {scard d} {sinterstore d a a} {object encoding d} {srem a x} {sunionstore d a b}
              {object encoding d}}
        set_max_intset 5
        same {{sinterstore d a a} {object encoding d} {sdiffstore d a b} {object encoding d}
              {sadd e 1 2 3} {sunionstore d e} {object encoding d}}
        set_max_intset 512
        del_both a b c d e
    }

    test {SINTERCARD errors and option parsing} {
        del_both a
        both sadd a 1 2 3
        same {
            {sintercard 0 a} {sintercard -1 a} {sintercard x a} {sintercard 2 a}
            {sintercard 9223372036854775808 a} {sintercard 1 a limit} {sintercard 1 a limit -1}
            {sintercard 1 a limit x} {sintercard 1 a foo 1} {sintercard 1 a limit 1 limit 0}
            {sintercard 1 a limit 0 limit 2} {sintercard 1 a limit 9223372036854775807}
            {sintercard 1 nokey limit x} {sintercard 1 a a} {sintercard 2 a a}
        }
    }

    test {SPOP: errors and replies as redis (single members, whole intsets)} {
        del_both s
        same {
            {spop nokey} {spop nokey 2} {spop nokey 0} {spop nokey -1} {spop s abc}
            {spop s 1 2} {sadd s 7} {spop s 0} {spop s} {exists s} {sadd s 5 1 3}
            {spop s 3} {exists s} {sadd s 5 1 3} {spop s 10} {exists s}
            {sadd s 1} {spop s 9223372036854775807} {spop s 9223372036854775808}
            {spop s -9223372036854775808}
        }
    }

    test {SPOP: popped members are distinct members, the rest stays (both encodings, all counts)} {
        foreach kind {int str} {
            foreach count {1 2 5 16 17 19 20 25} {
                r del s
                set all {}
                for {set i 0} {$i < 20} {incr i} {
                    lappend all [expr {$kind eq "int" ? $i : "m$i"}]
                }
                r sadd s {*}$all
                set popped [r spop s $count]
                set want [expr {$count > 20 ? 20 : $count}]
                assert_equal [llength $popped] $want
                assert_equal [llength [lsort -unique $popped]] $want
                set rest [r smembers s]
                assert_equal [lsort [concat $popped $rest]] [lsort $all]
                assert_equal [r scard s] [expr {20 - $want}]
                assert_equal [r exists s] [expr {$want < 20}]
            }
            r del s
            r sadd s {*}$all
            set seen {}
            while {[r exists s]} { lappend seen [r spop s] }
            assert_equal [lsort $seen] [lsort $all]
            assert_equal [r spop s] {}
        }
    }

    test {SPOP of most of a set rebuilds the rest as redis does (encoding may change)} {
        set ints {}
        for {set i 1} {$i <= 20} {incr i} { lappend ints $i }
        # {count limit}: one by one below remaining*5 > count, else rebuilt
        foreach {count limit} {7 2 16 2 17 2 18 2 19 0 17 512} {
            del_both s
            assert_same [list sadd s {*}$ints]
            set_max_intset $limit
            r spop s $count
            oracle spop s $count
            same {{scard s} {object encoding s}}
            set_max_intset 512
        }
        # a hashtable of integers whose few remaining members make an intset
        set ints {}
        for {set i 0} {$i < 600} {incr i} { lappend ints $i }
        foreach count {100 499 500 595} {
            del_both s
            assert_same [list sadd s {*}$ints]
            r spop s $count
            oracle spop s $count
            same {{scard s} {object encoding s}}
        }
        # mixed: the rebuilt set is a hashtable again when a string stays
        del_both s
        assert_same {sadd s a b c 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17}
        foreach count {17 18 19} {
            r del s
            r sadd s a b c 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17
            r spop s $count
            set enc intset
            foreach m [r smembers s] {
                if {![string is digit -strict $m]} { set enc hashtable }
            }
            assert_equal [r object encoding s] $enc
        }
    }

    test {SRANDMEMBER: errors and deterministic replies as redis} {
        del_both s h
        same {
            {srandmember nokey} {srandmember nokey 5} {srandmember nokey -5} {srandmember nokey x}
            {srandmember s 1 2} {srandmember s x} {srandmember s -9223372036854775808}
            {srandmember s 9223372036854775808} {sadd s 3 1 2} {srandmember s 0} {srandmember s 3}
            {srandmember s 100} {srandmember s 9223372036854775807} {sadd h x}
            {srandmember h} {srandmember h -3} {srandmember h 2} {srandmember h 1}
        }
    }

    test {SRANDMEMBER: members only, distinct for positive counts, exact length for negative} {
        foreach kind {int str} {
            r del s
            set all {}
            for {set i 0} {$i < 30} {incr i} { lappend all [expr {$kind eq "int" ? $i : "m$i"}] }
            r sadd s {*}$all
            foreach count {1 2 5 9 10 11 20 29 30 31 100} {
                set got [r srandmember s $count]
                set want [expr {$count > 30 ? 30 : $count}]
                assert_equal [llength $got] $want
                assert_equal [llength [lsort -unique $got]] $want
                foreach m $got { assert {[lsearch -exact $all $m] >= 0} }
            }
            foreach count {-1 -5 -30 -100} {
                set got [r srandmember s $count]
                assert_equal [llength $got] [expr {-$count}]
                foreach m $got { assert {[lsearch -exact $all $m] >= 0} }
            }
            # every member turns up: a miss in 3000 draws has odds ~30*(29/30)^3000
            assert_equal [lsort -unique [r srandmember s -3000]] [lsort $all]
            set seen {}
            for {set i 0} {$i < 300} {incr i} { lappend seen [r srandmember s] }
            assert_equal [lsort -unique $seen] [lsort $all]
            assert_equal [r scard s] 30
        }
    }

    test {SSCAN: errors and options as redis, intsets whole with cursor 0} {
        del_both s str
        both set str x
        both sadd s 1 2 3 10 11 20
        same {
            {sscan nokey 0} {sscan nokey x} {sscan nokey 0 foo} {sscan str 0} {sscan s x}
            {sscan s -1} {sscan s { 1}} {sscan s 0 foo} {sscan s 0 type set} {sscan s 0 count 0}
            {sscan s 0 count -1} {sscan s 0 count x} {sscan s 0 count} {sscan s 0 match}
            {sscan s 0} {sscan s 0 count 2} {sscan s 0 match 1*} {sscan s 0 MATCH *}
            {sscan s 0 match 1* count 1 match 2*} {sscan s 18446744073709551615}
            {sscan s 18446744073709551616} {sscan s 0 match nomatch}
        }
    }

    test {SSCAN of large hashtables returns every member (with COUNT and MATCH)} {
        foreach size {1 50 5000} {
            r del s
            set all {}
            for {set i 0} {$i < $size} {incr i} { lappend all "m$i" }
            r sadd s {*}$all
            foreach {count pat} {10 * 1 * 100 * 7 m1*} {
                set cursor 0
                set got {}
                set rounds 0
                while 1 {
                    lassign [r sscan s $cursor count $count match $pat] cursor batch
                    lappend got {*}$batch
                    if {$cursor == 0} break
                    assert {[incr rounds] < 100000}
                }
                set want [lsearch -all -inline -glob $all $pat]
                assert_equal [lsort -unique $got] [lsort $want]
            }
        }
    }

    test {Replies in RESP3: set types where redis sends them} {
        del_both s h a
        both sadd s 3 1 2
        both sadd h x
        r hello 3
        oracle hello 3
        same {
            {smembers s} {smembers nokey} {sinter s s} {sinter s nokey} {sunion s} {sdiff s nokey}
            {spop nokey} {spop nokey 3} {spop h 0} {srandmember nokey} {srandmember nokey 3}
            {srandmember s 5} {srandmember h -2} {smismember s 1 5} {sscan s 0} {sscan nokey 0}
            {sintercard 1 s} {sinterstore a s s} {smembers h} {spop h 5} {spop s 3}
        }
        r hello 2
        oracle hello 2
    }

    test {Generic commands on sets: TYPE COPY RENAME MOVE DUMP-free paths, SCAN TYPE, OBJECT} {
        del_both s h c
        both sadd s 1 2 3
        both sadd h a b
        same {
            {type s} {type h} {copy s c} {smembers c} {object encoding c} {copy h c replace}
            {object encoding c} {rename c d} {type d} {move d 1} {exists d} {select 1}
            {scard d} {object encoding d} {del d} {select 0}
        }
        same_sorted {smembers h}
        assert_equal [lsort [lindex [r scan 0 type set count 100] 1]] \
            [lsort [lindex [oracle scan 0 type set count 100] 1]]
        set small [r memory usage h]
        r sadd h {*}[lsearch -all -inline -not [split [string repeat abcdefghijklmnopqrstuvwxyz 4] {}] {}]
        for {set i 0} {$i < 200} {incr i} { r sadd h "member-$i" }
        assert {[r memory usage h] > $small + 200 * 8}
        set small [r memory usage s]
        r sadd s 100000 200000 300000
        assert {[r memory usage s] > $small}
        r sadd big {*}[lsort -unique [split [string repeat abcdefghij 10] {}]]
        assert_match {*encoding:hashtable*} [r debug object big]
        r del big
    }

    test {COPY of a set is deep: changing the copy leaves the source} {
        r del s c
        r sadd s a b 1
        r copy s c
        r srem c a
        r sadd c z
        assert_equal [lsort [r smembers s]] {1 a b}
        assert_equal [lsort [r smembers c]] {1 b z}
        r del s c
        r sadd s 1 2
        r copy s c
        r sadd c 3
        assert_equal [r smembers s] {1 2}
    }

    test {Sets expire like any key (DEBUG JUMP on shoal)} {
        r del s
        r sadd s a b
        r pexpire s 1000
        r debug jump 2000
        assert_equal [r scard s] 0
        assert_equal [r exists s] 0
        r sadd s 1
        r pexpire s 1000
        r debug jump 2000
        assert_equal [r sadd s 2] 1
        assert_equal [r ttl s] -1
        r debug reset-clock
    }

    test {Keyspace hits and misses count as in redis (read vs write lookups)} {
        set stats {keyspace_hits|keyspace_misses}
        foreach c {r oracle} {
            $c flushall
            $c sadd a 1 2
            $c sadd b x
            $c config resetstat
        }
        foreach cmd {
            {sismember a 1} {sismember nokey 1} {smismember a 1} {scard a} {scard nokey}
            {smembers a} {sinter a b nokey} {sunion a b} {sdiff a nokey} {sintercard 2 a b}
            {sinterstore d a b} {sunionstore d a b nokey} {sdiffstore d a b} {srandmember a}
            {srandmember nokey 2} {sscan a 0} {sscan nokey 0} {sadd a 3} {srem a 3}
            {smove a b 1} {spop nokey} {spop b} {spop b 1}
        } { catch {r {*}$cmd}; catch {oracle {*}$cmd} }
        assert_same_stats $stats 2
    }

    test {Randomized differential: 4000 set commands on 5 keys, small intset limit} {
        foreach c {r oracle} { $c flushall; $c config set set-max-intset-entries 8; $c set str x }
        set universe {0 1 2 3 4 5 6 7 8 9 10 11 12 -1 -70000 5000000000 a b c d e f g "h i" 01}
        set keys {s0 s1 s2 s3 s4}
        set pick {lindex $keys [randomInt 5]}
        expr {srand(20240611)}
        for {set n 0} {$n < 4000} {incr n} {
            set k [lindex $keys [randomInt 5]]
            set k2 [lindex $keys [randomInt 5]]
            if {[randomInt 60] == 0} { set k str }
            set ms {}
            for {set i [expr {1 + [randomInt 4]}]} {$i > 0} {incr i -1} {
                lappend ms [lindex $universe [randomInt [llength $universe]]]
            }
            set m [lindex $ms 0]
            set op [randomInt 22]
            switch $op {
                0 - 1 - 2 - 3 { assert_same [list sadd $k {*}$ms] }
                4 - 5 { assert_same [list srem $k {*}$ms] }
                6 { assert_same [list smove $k $k2 $m] }
                7 { assert_same [list sismember $k $m] }
                8 { assert_same [list smismember $k {*}$ms] }
                9 { assert_same [list scard $k] }
                10 { same_sorted [list smembers $k] }
                11 { same_sorted [list sinter $k $k2 [lindex $keys [randomInt 5]]] }
                12 { same_sorted [list sunion $k $k2] }
                13 { same_sorted [list sdiff $k $k2 [lindex $keys [randomInt 5]]] }
                14 {
                    set cmd [lindex {sinterstore sunionstore sdiffstore} [randomInt 3]]
                    assert_same [list $cmd $k2 $k [lindex $keys [randomInt 5]]]
                }
                15 {
                    set lim [randomInt 4]
                    assert_same [list sintercard 2 $k $k2 limit $lim]
                }
                16 - 17 {
                    # SPOP on shoal; the oracle removes the same members
                    set cnt [randomInt 4]
                    if {[catch {r spop $k $cnt} popped]} {
                        assert_error {WRONGTYPE*} {oracle spop $k $cnt}
                        continue
                    }
                    set before [sorted_reply oracle [list smembers $k]]
                    foreach p $popped {
                        assert {[lsearch -exact [lindex $before 1] $p] >= 0}
                    }
                    assert_equal [llength [lsort -unique $popped]] [llength $popped]
                    set want [expr {min($cnt, [llength [lindex $before 1]])}]
                    assert_equal [llength $popped] $want
                    if {[llength $popped]} { oracle srem $k {*}$popped }
                }
                18 {
                    set cnt [expr {[randomInt 9] - 4}]
                    if {[catch {r srandmember $k $cnt} got]} {
                        assert_error {WRONGTYPE*} {oracle srandmember $k $cnt}
                        continue
                    }
                    set all [lindex [sorted_reply oracle [list smembers $k]] 1]
                    foreach p $got { assert {[lsearch -exact $all $p] >= 0} }
                }
                19 { assert_same [list object encoding $k] }
                20 { if {[randomInt 10] == 0} { assert_same [list del $k] } }
                21 { assert_same [list exists $k] }
            }
        }
        foreach k $keys { keys_same $k }
        same_sorted {keys *}
        foreach c {r oracle} { $c config set set-max-intset-entries 512 }
    }
}
}
