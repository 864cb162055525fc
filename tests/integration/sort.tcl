# tests/integration/sort.tcl: SORT and SORT_RO, differential against
# redis-server 7.0.15. SORT's result is deterministic (numeric ties break
# by the element's bytes), so raw replies are compared, except where Redis
# itself gives no order: BY <constant> over a hashtable set (table order)
# and ALPHA BY ties (equal or missing weights), which are compared sorted
# or avoided.

start_server {tags {sort}} {
start_oracle_redis {} {

    test {SORT option parsing: every syntax error comes before the key lookup} {
        foreach c {r oracle} { $c flushall; $c sadd s 3 1 2; $c set str x }
        same {
            {sort} {sort s foo} {sort s limit} {sort s limit 1} {sort s limit x 1} {sort s limit 1 x}
            {sort s limit 1 2 3} {sort s by} {sort s get} {sort s store} {sort s asc desc alpha foo}
            {sort str foo} {sort nokey limit a b} {sort str limit 0 1} {sort str} {sort_ro str}
            {sort_ro s store x} {sort_ro s store} {sort_ro} {sort s LIMIT 9223372036854775808 1}
            {sort s limit 0 -9223372036854775809} {sort nokey} {sort nokey by w_* get # alpha}
            {sort_ro nokey} {sort s ASC} {sort s Desc} {sort s AlPhA} {sort s desc asc}
            {sort s alpha alpha limit 0 1 limit 1 1}
        }
    }

    test {SORT of sets: numeric, DESC, ALPHA, every LIMIT shape (intset and hashtable)} {
        foreach c {r oracle} {
            $c del s h
            $c sadd s 10 3 -2 7 100 0 55 3000000000 -70000
            $c sadd h 10 3.5 -2 7 1e3 0x10 " 5" 2.50 -inf inf
        }
        foreach key {s h} {
            foreach opts {{} desc alpha {alpha desc}} {
                assert_same [list sort $key {*}$opts]
                foreach {a b} {0 0 0 1 0 3 2 3 5 100 9 1 10 2 -1 2 -5 -1 3 -1 0 -5 20 20 8 1
                               0 9223372036854775807 9223372036854775807 5} {
                    assert_same [list sort $key {*}$opts limit $a $b]
                    assert_same [list sort_ro $key {*}$opts limit $a $b]
                }
            }
        }
    }

    test {SORT of non-numbers without ALPHA fails; weights read as strtod does} {
        foreach c {r oracle} { $c del s; $c sadd s a 1 }
        same {{sort s} {sort s alpha} {sort s desc limit 0 1}}
        foreach w {" 12" "12 " nan NaN inf -inf "" 0x1f 1e3 +5 .5 5. "1\x002" abc} {
            foreach c {r oracle} { $c del s; $c sadd s 1 2 3; $c set w_2 $w; $c set w_1 7 }
            assert_same {sort s by w_*}
            assert_same {sort s by w_* desc}
        }
        foreach w {" 12" "12 " nan inf "" 0x1f} {
            foreach c {r oracle} { $c del s; $c sadd s 1 $w 3 }
            assert_same {sort s}
        }
    }

    test {SORT BY: weights from strings, missing weights, ties by element, constant patterns} {
        foreach c {r oracle} {
            $c flushall
            $c sadd s 1 2 3 4 5 6
            $c mset w_1 30 w_2 10 w_3 20 w_4 10 w_6 -1
            $c sadd notstr 1
            $c set x_1_y 3
            $c set x_2_y 1
        }
        same {
            {sort s by w_*} {sort s by w_* desc} {sort s by w_* limit 1 3} {sort s by w_* desc limit 2 2}
            {sort s by w_* alpha} {sort s by x_*_y} {sort s by *} {sort s by no*tfound}
            {sort s by notstr} {sort s by w_* get #} {sort s by w_* limit 0 0}
            {sort s by x_*_y_* } {sort s by w_*->f}
        }
        foreach c {r oracle} { $c set w_5 abc }
        same {{sort s by w_*} {sort s by w_* alpha limit 0 2}}
        # a weight key of another type is missing, not an error
        foreach c {r oracle} { $c del w_5; $c sadd w_5 1 }
        same {{sort s by w_*} {sort s by w_* desc}}
    }

    test {SORT BY and GET with hash fields (key->field), listpack and hashtable hashes} {
        foreach c {r oracle} {
            $c flushall
            $c sadd s 1 2 3 4
            $c hset h_1 w 30 name one
            $c hset h_2 w 10 name two
            $c hset h_3 w 20 name three
            $c hset h_4 name four
            for {set i 0} {$i < 600} {incr i} { $c hset h_3 f$i $i }
            $c set notahash_1 x
        }
        assert_equal [r object encoding h_3] hashtable
        same {
            {sort s by h_*->w} {sort s by h_*->w desc} {sort s by h_*->w get h_*->name}
            {sort s by h_*->w get # get h_*->name get h_*->missing} {sort s by h_*->name alpha}
            {sort s get h_*->w} {sort s get h_*->f599} {sort s by notahash_*->w}
            {sort s get notahash_*->x} {sort s by h_*-> get h_*->}
        }
    }

    test {SORT BY constant: no sorting (intset order, LIMIT over it), hashtable compared sorted} {
        foreach c {r oracle} { $c del s h; $c sadd s 5 1 4 2 3; $c sadd h c a b }
        same {
            {sort s by nosort} {sort s by nosort desc} {sort s by nosort limit 1 2}
            {sort s by nosort limit 3 10} {sort s by nosort get #} {sort s by nosort alpha}
        }
        same_sorted {sort h by nosort}
        same_sorted {sort h by nosort desc alpha}
    }

    test {SORT GET: #, strings, missing keys and other types as nil, patterns without *} {
        foreach c {r oracle} {
            $c flushall
            $c sadd s 1 2 3
            $c mset o_1 one o_2 two n_1 uno
            $c sadd o_3 notastring
        }
        same {
            {sort s get o_*} {sort s get # get o_* get n_*} {sort s get nostar} {sort s get #x}
            {sort s desc get o_* limit 1 1} {sort s get o_* get o_*} {sort s by o_* alpha get #}
            {sort s get "#\x00z"} {sort s get "o_*\x00tail"} {sort s get *} {sort s get ***}
            {sort_ro s get o_* get #}
        }
        r hello 3
        oracle hello 3
        same {{sort s get o_*} {sort s get # get n_*} {sort nokey}}
        r hello 2
        oracle hello 2
    }

    test {SORT of sorted sets: natural order without sorting, ranges both ways, converts to skiplist} {
        foreach c {r oracle} {
            $c del z
            $c zadd z 5 e 1 a 3 c 2 b 4 d 0 zz
        }
        same {{object encoding z} {sort z by nosort} {object encoding z}}
        foreach opts {{} desc} {
            foreach {a b} {0 0 0 1 0 3 2 3 5 100 9 1 1 -1 -5 2 4 2 5 1 6 1 0 9223372036854775807} {
                assert_same [list sort z by nosort {*}$opts limit $a $b]
                assert_same [list sort_ro z by nosort {*}$opts limit $a $b get #]
            }
            assert_same [list sort z by nosort {*}$opts]
            assert_same [list sort z alpha {*}$opts limit 1 3]
        }
        foreach c {r oracle} { $c del z2; $c zadd z2 3 1 1 30 2 20 }
        same {{sort_ro z2} {object encoding z2} {sort z2 desc} {sort z2 by nosort desc}}
        foreach c {r oracle} { $c mset w_1 3 w_20 1 w_30 2 }
        same {{sort z2 by w_*} {sort z2 by w_* get # get w_*} {sort z alpha}}
    }

    test {Keyspace hits and misses of SORT and its BY/GET lookups count as in redis} {
        set stats {keyspace_hits|keyspace_misses}
        foreach c {r oracle} {
            $c flushall
            $c sadd s 1 2 3
            $c mset w_1 1 w_2 2 g_3 x
            $c config resetstat
        }
        foreach cmd {
            {sort s} {sort nokey} {sort s by w_*} {sort s get g_* get #} {sort s by nosort get g_*}
            {sort_ro s by w_* get nostar} {sort s by w_*->f get g_*->f}
        } { catch {r {*}$cmd}; catch {oracle {*}$cmd} }
        assert_same_stats $stats 2
    }

    test {Randomized differential: 1500 SORT commands over sets and sorted sets} {
        foreach c {r oracle} { $c flushall }
        expr {srand(7041)}
        set members {}
        for {set i 0} {$i < 40} {incr i} {
            lappend members [lindex {"" a b c d e abc ab 7 -3 12 3.5 100 -0.5 x1 x2} [randomInt 16]][randomInt 50]
        }
        set members [lsort -unique $members]
        # weights: unique values so ALPHA BY has no ties; some left missing
        set i 0
        foreach m $members {
            incr i
            if {[randomInt 6] == 0} continue
            both set w_$m [expr {($i * 7919) % 1000 - 500}]
            both set g_$m "val-$m"
        }
        for {set n 0} {$n < 1500} {incr n} {
            if {$n % 100 == 0} {
                # fresh contents: an intset, a hashtable, a sorted set
                foreach c {r oracle} { $c del si sh z }
                set ints {}
                for {set k [randomInt 20]} {$k >= 0} {incr k -1} { lappend ints [expr {[randomInt 2000] - 1000}] }
                both sadd si {*}$ints
                both sadd sh {*}[lrange $members 0 [randomInt [llength $members]]]
                set zargs {}
                foreach m [lrange $members 0 [randomInt 30]] { lappend zargs [randomInt 10] $m }
                both zadd z {*}$zargs
            }
            set key [lindex {si sh z} [randomInt 3]]
            set cmd [list [lindex {sort sort_ro} [randomInt 2]] $key]
            set numeric_ok [expr {$key eq "si"}]
            set by {}
            switch [randomInt 4] {
                0 { set by w_* }
                1 { if {$key ne "sh"} { set by nosort } }
            }
            if {$by ne {}} { lappend cmd by $by }
            set alpha [expr {$by ne "w_*" && !$numeric_ok ? 1 : [randomInt 2]}]
            if {$by eq "w_*" && $alpha} {
                # ALPHA BY: only when every member has its weight (no ties)
                set alpha 0
            }
            if {$alpha} { lappend cmd alpha }
            if {[randomInt 2]} { lappend cmd [lindex {asc desc} [randomInt 2]] }
            if {[randomInt 2]} { lappend cmd limit [expr {[randomInt 12] - 2}] [expr {[randomInt 12] - 2}] }
            for {set g [randomInt 3]} {$g > 0} {incr g -1} { lappend cmd get [lindex {# g_* w_* nostar} [randomInt 4]] }
            assert_same $cmd
        }
    }
    # Last on purpose: Redis checks errno after strtod without clearing it,
    # so after one out-of-range weight every later numeric SORT of strings
    # on the oracle fails until some unrelated call changes errno. Shoal
    # clears errno, so only the out-of-range cases themselves are compared.
    test {SORT weights out of double range fail (last: they poison redis's errno)} {
        foreach w {1e400 -1e400 1e-400} {
            foreach c {r oracle} { $c del s; $c sadd s 1 2 3; $c set w_2 $w }
            assert_same {sort s by w_*}
            foreach c {r oracle} { $c del s; $c sadd s 1 $w 3 }
            assert_same {sort s}
            r del s
            r sadd s 3 1 2
            assert_equal [r sort s] {1 2 3}
        }
    }
}
}

# Lists and STORE, with an oracle of their own (the test above leaves the
# first one's errno poisoned).
start_server {tags {sort}} {
start_oracle_redis {} {

    test {SORT of lists: numeric, DESC, ALPHA, every LIMIT shape, natural order BY nosort} {
        foreach c {r oracle} {
            $c del l
            $c rpush l 10 3 -2 7 100 0 55 3000000000 -70000 3 2.5 -inf
        }
        foreach opts {{} desc alpha {alpha desc} {by nosort} {by nosort desc} {by nosort alpha}} {
            assert_same [list sort l {*}$opts]
            foreach {a b} {0 0 0 1 0 3 2 3 5 100 9 1 10 2 11 1 12 1 -1 2 -5 -1 3 -1 0 -5 20 20 8 1
                           0 9223372036854775807 9223372036854775807 5 -9223372036854775808 3} {
                assert_same [list sort l {*}$opts limit $a $b]
                assert_same [list sort_ro l {*}$opts limit $a $b get #]
            }
        }
        foreach c {r oracle} { $c del la; $c rpush la b a 1 c }
        same {{sort la} {sort la alpha} {sort_ro la by nosort desc} {type la} {object encoding la}}
    }

    test {SORT of long lists (many nodes): walks both ways across nodes, BY and GET} {
        foreach c {r oracle} {
            $c config set list-max-listpack-size 4
            $c del big
            for {set i 0} {$i < 150} {incr i} { $c rpush big [expr {($i * 37) % 151}] }
            for {set i 0} {$i < 151} {incr i} { $c set w_$i [expr {150 - $i}] }
            $c config set list-max-listpack-size -2
        }
        foreach opts {{} desc {by nosort} {by nosort desc} {by w_*} {by w_* desc get # get w_*}} {
            assert_same [list sort big {*}$opts]
            foreach {a b} {0 5 3 4 7 9 145 10 149 1 150 1 1 -1 60 60} {
                assert_same [list sort big {*}$opts limit $a $b]
            }
        }
    }

    test {SORT STORE: a quicklist list at the destination, the output length replied} {
        foreach c {r oracle} {
            $c flushall
            $c rpush l 3 1 2
            $c sadd s 30 10 20 a
            $c zadd z 3 c 1 a 2 b
            $c mset o_1 one o_3 three
            $c hset h_2 f two
        }
        same {
            {sort l store d} {type d} {object encoding d} {lrange d 0 -1}
            {sort l desc limit 1 5 store d} {lrange d 0 -1}
            {sort l get o_* get # get h_*->f get nostar store d} {lrange d 0 -1} {llen d}
            {sort l by nosort desc store d} {lrange d 0 -1}
            {sort s store d} {lrange d 0 -1} {sort s by nosort store d} {lrange d 0 -1}
            {sort s alpha desc limit 1 2 store d} {lrange d 0 -1}
            {sort z store d} {sort z by nosort store d} {lrange d 0 -1} {object encoding d}
            {sort z by nosort desc limit 1 1 store d} {lrange d 0 -1}
            {sort l store l} {lrange l 0 -1} {sort l desc STORE d STORE d2} {exists d} {lrange d2 0 -1}
            {sort s store d} {sort_ro l store d}
        }
    }

    test {SORT STORE replaces any type and its TTL; an empty result deletes the destination} {
        foreach c {r oracle} {
            $c flushall
            $c rpush l 3 1 2
            $c set str v ex 1000
            $c sadd st x
            $c zadd zt 1 x
        }
        same {
            {sort l store str} {type str} {ttl str} {lrange str 0 -1}
            {sort l store st} {type st} {sort l desc store zt} {type zt} {lrange zt 0 -1}
            {sort nokey store str} {exists str} {sort l limit 0 0 store st} {exists st}
            {sort l limit 5 1 store zt} {exists zt} {sort l by nosort limit 3 2 store l2} {exists l2}
            {sort nokey store nokey2} {exists nokey2} {sort l store d} {sort l limit 0 0 store d}
            {exists d} {sort l store d} {sort l limit 1 0 get # store d} {exists d}
        }
        foreach c {r oracle} { $c set str v; $c rpush l x }
        same {{sort l store str} {exists str} {sort l alpha store str} {lrange str 0 -1}}
    }

    test {SORT STORE into a key a client waits on with BLPOP wakes it, as redis} {
        foreach c {r oracle} { $c flushall; $c rpush l 2 1 }
        set rd [deferring_client]
        set od [resp_client 127.0.0.1 [oracle_srv port] -deferred 1]
        foreach d [list $rd $od] { $d blpop dst 0 }
        wait_for_condition 200 10 {
            [regexp {blocked_clients:1} [r info clients]] && [regexp {blocked_clients:1} [oracle info clients]]
        } else { fail "the BLPOPs did not block" }
        assert_same {sort l store dst}
        assert_equal [$rd read] {dst 1}
        assert_equal [$od read] {dst 1}
        same {{lrange dst 0 -1}}
        $rd close
        $od close
    }

    test {Randomized differential: 1000 SORT commands over lists, half of them storing} {
        set members {a b c 1 2 3 -1 10 2.5 x y 07 " 3" 1e2 zz}
        for {set n 0} {$n < 1000} {incr n} {
            if {$n % 100 == 0} {
                foreach c {r oracle} {
                    $c flushall
                    $c config set list-max-listpack-size [lindex {-2 2 5} [expr {$n / 100 % 3}]]
                }
                set nums {}
                for {set k [randomInt 40]} {$k >= 0} {incr k -1} { lappend nums [expr {[randomInt 200] - 100}] }
                both rpush ln {*}$nums
                set strs {}
                for {set k [randomInt 40]} {$k >= 0} {incr k -1} { lappend strs [lindex $members [randomInt 15]] }
                both rpush ls {*}$strs
                foreach m [lsort -unique [concat $nums $strs]] {
                    if {[randomInt 4]} { both set w_$m [randomInt 50] }
                    if {[randomInt 2]} { both set g_$m v$m }
                }
            }
            set key [lindex {ln ls nokey} [randomInt 3]]
            set cmd [list sort $key]
            set by [lindex {{} {} w_* nosort} [randomInt 4]]
            if {$by ne {}} { lappend cmd by $by }
            # ALPHA BY w_* has ties between missing weights: never asked
            if {$by ne "w_*" && ($key eq "ls" || [randomInt 2])} { lappend cmd alpha }
            if {[randomInt 2]} { lappend cmd [lindex {asc desc} [randomInt 2]] }
            if {[randomInt 2]} { lappend cmd limit [expr {[randomInt 50] - 5}] [expr {[randomInt 50] - 5}] }
            for {set g [randomInt 3]} {$g > 0} {incr g -1} { lappend cmd get [lindex {# g_* w_*} [randomInt 3]] }
            if {[randomInt 2]} {
                set dst [lindex {d1 d2 ln} [randomInt 3]]
                lappend cmd store $dst
                if {[catch {assert_same $cmd} err]} { fail "command #$n [resp_escape $cmd]: $err" }
                assert_same [list lrange $dst 0 -1]
                assert_same [list object encoding $dst]
            } else {
                if {[randomInt 2]} { lset cmd 0 sort_ro }
                if {[catch {assert_same $cmd} err]} { fail "command #$n [resp_escape $cmd]: $err" }
            }
        }
    }
}
}
