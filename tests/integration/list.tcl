# tests/integration/list.tcl: the list commands (LPUSH RPUSH LPUSHX RPUSHX
# LPOP RPOP LLEN LRANGE LINDEX LSET LREM LTRIM LINSERT LPOS LMOVE RPOPLPUSH
# LMPOP and the non-blocking paths of BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP),
# differential against redis-server 7.0.15: every command goes to both and
# the raw reply bytes must be identical, so reply and error texts are
# proved, not restated. Blocking behaviour is in list-blocking.tcl.

proc same {cmds} {
    foreach cmd $cmds { assert_same $cmd }
}

proc both {args} {
    r {*}$args
    oracle {*}$args
}

proc del_both {args} {
    both del {*}$args
}

proc same_list {k} {
    assert_same [list lrange $k 0 -1]
    assert_same [list llen $k]
    assert_same [list exists $k]
    assert_same [list object encoding $k]
}

start_server {tags {list}} {
start_oracle_redis {} {

    test {LPUSH RPUSH LPUSHX RPUSHX: create, order, lengths, missing key} {
        del_both l x
        same {
            {lpush l a} {lpush l b c} {rpush l d e f} {lrange l 0 -1} {llen l}
            {lpushx x a} {rpushx x a b} {exists x} {lpushx l z} {rpushx l y y} {lrange l 0 -1}
            {rpush l 1 -1 0 12345678901 9223372036854775807 -9223372036854775808 9223372036854775808}
            {rpush l 01 " 1" 1.5 "" -0} {lrange l 0 -1}
        }
        same_list l
    }

    test {list commands against a key of another type: WRONGTYPE, nothing written} {
        del_both s
        both set s v
        same {
            {lpush s a} {rpush s a} {lpushx s a} {rpushx s a} {lpop s} {rpop s} {lpop s 2}
            {llen s} {lrange s 0 -1} {lindex s 0} {lset s 0 a} {lrem s 0 a} {ltrim s 0 1}
            {linsert s before a b} {lpos s a} {lpos s a count 0} {lmove s l left right}
            {rpoplpush s l} {lmpop 1 s left} {blpop s 0} {brpop s 0} {blmove s l left left 0}
            {brpoplpush s l 0} {blmpop 0 1 s left} {get s}
        }
        del_both l
        both rpush l a b
        same {
            {lmove l s left right} {rpoplpush l s} {blmove l s left left 0} {brpoplpush l s 0}
            {lrange l 0 -1} {get s} {lmpop 2 l s left} {lrange l 0 -1}
        }
        del_both l
        both rpush l a
        same {{lmpop 2 s l right} {blpop s l 0} {blpop l s 0}}
    }

    test {wrong number of arguments for every list command} {
        same {
            {lpush} {lpush k} {rpush k} {lpushx k} {rpushx k} {lpop} {rpop} {lpop k 1 2}
            {rpop k 1 2} {llen} {llen k x} {lrange k 0} {lrange k 0 1 2} {lindex k} {lset k 0}
            {lrem k 0} {ltrim k 0} {linsert k before a} {lpos k} {lmove a b left} {rpoplpush a}
            {lmpop 1 k} {blpop k} {brpop k} {blmove a b left right} {brpoplpush a b}
            {blmpop 0 1 k}
        }
    }

    test {LPOP RPOP with and without count} {
        del_both l
        both rpush l a b c d e f
        same {
            {lpop l} {rpop l} {lpop l 0} {lpop l 2} {rpop l 1} {lrange l 0 -1} {rpop l 10}
            {exists l} {lpop l} {rpop l} {lpop l 0} {lpop l 3} {rpop l 1}
            {lpop l -1} {lpop l abc} {lpop l 1.5} {rpop l 9223372036854775807}
            {lpop l 9223372036854775808}
        }
        both rpush l a
        same {{lpop l -1} {lpop l abc} {rpop l 9223372036854775807} {exists l}}
    }

    test {LRANGE LINDEX: every range edge} {
        del_both l
        both rpush l 0 1 2 3 4 5 6 7 8 9
        foreach {s e} {0 -1 0 0 -1 -1 -100 100 5 2 3 3 -3 -1 10 20 -20 -11 -20 -10 9 9 0 9223372036854775807
                       -9223372036854775808 9223372036854775807 2 -9 2 -8} {
            assert_same [list lrange l $s $e]
        }
        foreach i {0 1 9 10 -1 -10 -11 100 9223372036854775807 -9223372036854775808} {
            assert_same [list lindex l $i]
        }
        same {
            {lrange l a 1} {lrange l 1 a} {lrange l 1.0 2} {lrange nokey 0 -1} {lrange nokey a b}
            {lindex l a} {lindex nokey a} {lindex nokey 0} {lindex l 9223372036854775808}
        }
    }

    test {LSET: in range, out of range, missing key, bad index} {
        del_both l
        both rpush l a b c
        same {
            {lset l 0 x} {lset l -1 y} {lset l 1 12345} {lrange l 0 -1} {lset l 3 z} {lset l -4 z}
            {lset l a z} {lset nokey 0 a} {lset nokey a a} {lset l 1 ""} {lrange l 0 -1}
        }
    }

    test {LTRIM: every range edge, emptying deletes the key} {
        foreach {s e} {0 -1 1 -2 2 2 -3 -1 5 2 0 100 -100 1 20 30 -1 -2 0 0 3 -7} {
            del_both l
            both rpush l 0 1 2 3 4 5 6 7 8 9
            assert_same [list ltrim l $s $e]
            same_list l
        }
        same {{ltrim l a 1} {ltrim l 0 b} {ltrim nokey 0 1} {ltrim nokey a 1} {exists nokey}}
    }

    test {LREM: count positive, negative, zero, integers by value} {
        foreach count {0 1 2 -1 -2 100 -100} {
            del_both l
            both rpush l a b a 1 c a 01 1 a
            assert_same [list lrem l $count a]
            assert_same [list lrem l $count 1]
            same_list l
        }
        same {{lrem l a x} {lrem nokey 1 a} {lrem nokey a a} {lrem l 1 zz}}
        del_both l
        both rpush l a a
        same {{lrem l 0 a} {exists l}}
    }

    test {LINSERT: before, after, missing pivot, missing key, syntax} {
        del_both l
        both rpush l a b c 5
        same {
            {linsert l before a x} {linsert l after c y} {linsert l BEFORE 5 z} {linsert l After b w}
            {linsert l before nope q} {linsert l middle a q} {linsert nokey before a b}
            {linsert nokey middle a b} {exists nokey} {lrange l 0 -1}
            {linsert l after 05 n} {linsert l after 5.0 n} {lrange l 0 -1}
        }
    }

    test {LPOS: RANK COUNT MAXLEN and their errors} {
        del_both l
        both rpush l a b c a b c a 1 01 1
        foreach opts {
            {} {rank 1} {rank 2} {rank 3} {rank 4} {rank -1} {rank -2} {rank -4}
            {count 0} {count 1} {count 2} {count 10} {rank 2 count 0} {rank -1 count 2}
            {maxlen 1} {maxlen 3} {maxlen 4} {count 0 maxlen 4} {rank -1 maxlen 3} {rank -2 count 0 maxlen 5}
            {rank 0} {rank -9223372036854775808} {rank -9223372036854775807} {rank 9223372036854775807}
            {rank abc} {count -1} {count abc} {maxlen -1} {maxlen abc} {rank} {count} {maxlen}
            {foo 1} {rank 1 rank 2} {RANK 2 Count 2 MaxLen 0} {count 1 count 2}
            {rank 9223372036854775808}
        } {
            assert_same [list lpos l a {*}$opts]
            assert_same [list lpos l 1 {*}$opts]
        }
        same {
            {lpos nokey a} {lpos nokey a count 0} {lpos nokey a rank 0} {lpos nokey a count -1}
            {lpos l zz} {lpos l zz count 0} {lpos l 1.0}
        }
    }

    test {LMOVE RPOPLPUSH: every direction, same key, missing source, new destination} {
        foreach from {left right} {
            foreach to {left right} {
                del_both src dst
                both rpush src a b c
                both rpush dst x y
                assert_same [list lmove src dst $from $to]
                assert_same [list lmove src src $from $to]
                assert_same [list lmove src new $from $to]
                same_list src
                same_list dst
                same_list new
                del_both new
            }
        }
        del_both src dst
        both rpush src a
        same {
            {lmove src src left right} {lrange src 0 -1} {lmove src dst left middle}
            {lmove src dst up left} {lmove nokey dst left left} {rpoplpush nokey dst}
            {rpoplpush src dst} {exists src} {lrange dst 0 -1} {rpoplpush dst dst} {lmove src dst LEFT RIGHT}
        }
    }

    test {LMPOP: keys, directions, COUNT and its errors} {
        del_both a b c
        both rpush b 1 2 3 4 5
        both rpush c x y
        same {
            {lmpop 1 a left} {lmpop 2 a b left} {lmpop 3 a b c right} {lmpop 3 a b c right count 2}
            {lmpop 2 a b left count 10} {exists b} {lmpop 3 a b c left count 1} {lmpop 3 a b c left}
            {lmpop 3 a b c left}
            {lmpop 0 a left} {lmpop -1 a left} {lmpop abc a left} {lmpop 2 a left} {lmpop 1 a middle}
            {lmpop 1 a left count 0} {lmpop 1 a left count -1} {lmpop 1 a left count abc}
            {lmpop 1 a left count} {lmpop 1 a left count 1 count 2} {lmpop 1 a left foo}
            {lmpop 9223372036854775807 a left} {lmpop 2147483648 a left} {lmpop 1 a LEFT COUNT 3}
            {lmpop 1.5 a left}
        }
    }

    test {blocking commands that need not block answer at once} {
        del_both a b c
        both rpush b 1 2 3
        both rpush c x y z
        same {
            {blpop a b c 0} {brpop a c 0} {brpop a b c 0.5} {blmpop 0 3 a b c left count 2}
            {blmpop 0 2 a c right} {blmove c a left right 0} {brpoplpush a c 0} {lrange a 0 -1}
            {lrange b 0 -1} {lrange c 0 -1}
            {blpop a -1} {blpop a abc} {blpop a 1e30} {blpop a inf} {blpop a nan} {blpop a " 1"}
            {blpop a 9.3e15} {blpop a 9.3e30} {blpop a ""} {brpoplpush c c 0x10}
            {blmove a b left middle 0} {blmove a b left left -1} {blmove a b up down abc}
            {brpoplpush a b -0.5} {brpoplpush a b x}
            {blmpop abc 1 a left} {blmpop 0 0 a left} {blmpop abc 0 a left} {blmpop 0 1 a left count 0}
            {blmpop -1 1 a left} {blmpop 0 1 a middle} {blmpop 0 2 a left} {blmpop 0 1 a left count}
        }
    }

    test {blocking commands time out with a null array (RESP2 and RESP3)} {
        del_both nokey
        same {
            {blpop nokey 0.01} {brpop nokey nokey2 0.01} {blmove nokey d left left 0.01}
            {brpoplpush nokey d 0.01} {blmpop 0.01 2 nokey nokey2 left count 3} {blpop nokey -0.0001x}
        }
        both hello 3
        same {
            {blpop nokey 0.01} {blmove nokey d left left 0.01} {brpoplpush nokey d 0.01}
            {blmpop 0.01 1 nokey right} {lpop nokey} {lpop nokey 2} {lmpop 1 nokey left}
            {lpos nokey a} {lindex nokey 0} {lmove nokey d left left}
        }
        both rpush l a b c
        same {{lpop l 2} {lmpop 1 l left count 5} {blpop l 0} {lpos l a count 0} {lrange l 0 -1}}
        both hello 2
    }

    test {the list encoding is reported as Redis 7.0 does, across node sizes} {
        foreach size {-1 -2 -5 1 2 4 128} {
            both config set list-max-listpack-size $size
            del_both l
            for {set i 0} {$i < 300} {incr i} {
                both rpush l [string repeat x [expr {$i % 97}]] $i
            }
            same_list l
            assert_same {ltrim l 0 2}
            same_list l
            assert_same {lrange l 0 -1}
            both rpush l [string repeat y 20000]
            same_list l
            assert_same {lindex l -1}
        }
        both config set list-max-listpack-size -2
        same {
            {config get list-max-listpack-size} {config get list-max-ziplist-size}
            {config get list-compress-depth} {config set list-max-ziplist-size 7}
            {config get list-max-listpack-size} {config set list-compress-depth 2}
            {config get list-compress-depth} {config set list-compress-depth -1}
            {config set list-max-listpack-size abc}
        }
        both config set list-max-listpack-size -2
        both config set list-compress-depth 0
    }

    test {lists through the key commands: TYPE COPY RENAME OBJECT, elements intact} {
        del_both l l2 l3
        both rpush l a 1 b 2
        same {
            {type l} {copy l l2} {lrange l2 0 -1} {rpush l2 z} {lrange l 0 -1} {rename l2 l3}
            {lrange l3 0 -1} {object encoding l3} {exists l2} {del l3} {exists l3}
        }
    }

    test {large elements and many nodes keep their order} {
        both config set list-max-listpack-size 3
        del_both l
        for {set i 0} {$i < 50} {incr i} {
            set v [string repeat [format %c [expr {65 + $i % 26}]] [expr {$i * 37 % 300}]]
            both rpush l $v
            both lpush l $i
        }
        same {{lrange l 0 -1} {lindex l 50} {lindex l 51} {lpos l 25} {linsert l before 25 mid}}
        for {set i 0} {$i < 30} {incr i} { assert_same [list linsert l after $i "n$i"] }
        same {{lrange l 0 -1} {lrem l 0 mid} {lrem l -3 n5} {ltrim l 5 -5} {lrange l 0 -1} {llen l}}
        both config set list-max-listpack-size -2
    }

    test {randomized differential: a few thousand list commands} {
        set vals {a b c 1 2 01 -1 "" xx yy zz 12345678901234567890}
        lappend vals [string repeat v 70] [string repeat w 300]
        both config set list-max-listpack-size 4
        del_both k1 k2 k3 s
        both set s str
        set keys {k1 k2 k3}
        expr {srand(7)}
        for {set n 0} {$n < 3000} {incr n} {
            set k [lindex $keys [randomInt 3]]
            set k2 [lindex $keys [randomInt 3]]
            if {[randomInt 50] == 0} { set k2 s }
            set v [lindex $vals [randomInt [llength $vals]]]
            set i [expr {[randomInt 12] - 6}]
            set j [expr {[randomInt 12] - 6}]
            set dir [lindex {left right} [randomInt 2]]
            set dir2 [lindex {left right} [randomInt 2]]
            switch [randomInt 20] {
                0 - 1 - 2 { set cmd [list rpush $k $v $v] }
                3 - 4 { set cmd [list lpush $k $v] }
                5 { set cmd [list [lindex {lpushx rpushx} [randomInt 2]] $k $v] }
                6 { set cmd [list [lindex {lpop rpop} [randomInt 2]] $k] }
                7 { set cmd [list [lindex {lpop rpop} [randomInt 2]] $k [randomInt 4]] }
                8 { set cmd [list lrange $k $i $j] }
                9 { set cmd [list lindex $k $i] }
                10 { set cmd [list lset $k $i $v] }
                11 { set cmd [list lrem $k [expr {[randomInt 5] - 2}] $v] }
                12 { set cmd [list ltrim $k [randomInt 3] [expr {-1 - [randomInt 3]}]] }
                13 { set cmd [list linsert $k [lindex {before after} [randomInt 2]] $v $v] }
                14 { set cmd [list lpos $k $v rank [lindex {1 2 -1 -2} [randomInt 4]] count [randomInt 3]] }
                15 { set cmd [list lmove $k $k2 $dir $dir2] }
                16 { set cmd [list rpoplpush $k $k2] }
                17 { set cmd [list lmpop 2 $k $k2 $dir count [expr {1 + [randomInt 3]}]] }
                18 { set cmd [list blmpop 0.001 2 $k $k2 $dir] }
                19 { set cmd [list llen $k] }
            }
            if {[info exists ::env(LIST_TRACE)]} { puts $cmd }
            assert_same $cmd
        }
        foreach k $keys { same_list $k }
        both config set list-max-listpack-size -2
    }
}
}
