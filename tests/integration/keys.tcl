# tests/integration/keys.tcl: the generic key commands (DEL UNLINK EXISTS
# TOUCH TYPE EXPIRE* TTL* PERSIST RENAME RENAMENX COPY MOVE SCAN KEYS
# RANDOMKEY). Most of it is differential against redis-server 7.0.15: the
# exact reply bytes of every option and error, then a randomized run of a
# few thousand key commands. SCAN's guarantee (every key present for the
# whole iteration is returned) is checked on shoal alone, since cursors are
# the table's own. Expiry timing lives in expire.tcl.

# Pipelined SET of prefix0..prefix(n-1) (value = index) on a fresh client.
proc keys_populate {n prefix {level 0}} {
    set c [new_client $level]
    set buf {}
    for {set i 0} {$i < $n} {incr i} {
        append buf [resp_encode [list set $prefix$i $i]]
        if {$i % 1000 == 999} { $c raw $buf; set buf {} }
    }
    $c raw $buf
    for {set i 0} {$i < $n} {incr i} {
        set rep [$c read_raw]
        if {$rep ne "+OK\r\n"} { error "populate: SET replied [resp_escape $rep]" }
    }
    $c close
}

# Pipelined DEL of prefix0..prefix(n-1), each must exist.
proc keys_delete {n prefix} {
    set c [new_client]
    set buf {}
    for {set i 0} {$i < $n} {incr i} { append buf [resp_encode [list del $prefix$i]] }
    $c raw $buf
    for {set i 0} {$i < $n} {incr i} {
        set rep [$c read_raw]
        if {$rep ne ":1\r\n"} { error "keys_delete: DEL replied [resp_escape $rep]" }
    }
    $c close
}

# The whole SCAN iteration (a list of keys, duplicates kept) and the number
# of calls it took; extra arguments go after the cursor.
proc keys_scan_all {args} {
    set cur 0
    set keys {}
    set calls 0
    while 1 {
        lassign [r scan $cur {*}$args] cur batch
        lappend keys {*}$batch
        incr calls
        if {$cur eq "0"} break
        if {$calls > 1000000} { fail "SCAN did not finish" }
    }
    return [list $keys $calls]
}

start_server {tags {keys}} {
    start_oracle_redis {} {
        test {DEL UNLINK EXISTS TOUCH TYPE match redis} {
            foreach cmd {
                {flushall} {set a 1} {set b hello} {set "x\x00y" bin}
                {exists a} {exists a a nokey b} {exists nokey}
                {touch a} {touch a a nokey b "x\x00y"}
                {type a} {type b} {type nokey} {type "x\x00y"}
                {del a a nokey} {del a} {unlink b b} {unlink nokey}
                {exists a b} {del "x\x00y"} {dbsize}
                {del} {exists} {touch} {unlink} {type} {type a b}
            } { assert_same $cmd }
        }

        # Relative times in these lists never tie between two commands
        # (a tie would depend on whether a millisecond passed in between).
        test {EXPIRE family: options, conflicts, errors match redis} {
            foreach cmd {
                {flushall} {set a 1}
                {expire a 100 foo} {expire a 100 nx xx} {expire a 100 nx gt}
                {expire a 100 nx lt} {expire a 100 gt lt} {expire a 100 nx xx lt}
                {expire a 100 NX GT} {expire a 100 nx nx} {expire a 50 gt gt}
                {expire a abc} {expire a abc foo} {expire a 1.5} {expire a " 1"}
                {expire a 100 "b\x00c"} {expire a ""}
                {expire a 9223372036854775807} {expire a -9223372036854775807}
                {expire a 9223372036854776} {expire a -9223372036854776}
                {expire nokey 9223372036854775807}
                {pexpire a 9223372036854775807} {pexpireat a 9223372036854775807}
                {pexpiretime a} {expiretime a} {ttl nokey}
                {expireat a 9223372036854775} {expiretime a} {pexpiretime a}
                {expireat a 9223372036854776} {pexpireat a -9223372036854775808}
                {exists a}
                {set a 1}
                {pexpire a -9223372036854775808} {exists a}
                {set a 1} {expire a -9223372036854775808}
                {set a 1} {expire a -9223372036854775} {exists a}
                {set a 1}
                {expire a 100 xx} {expire a 100 gt} {expire a 100 nx}
                {expire a 200 nx} {expire a 50 gt} {expire a 200 gt}
                {expire a 300 lt} {expire a 100 lt} {expire a 100 lt}
                {expire a 99 xx gt} {expire a 101 xx gt} {expire a 100 xx lt}
                {expireat a 100 gt} {exists a} {expireat a 100 lt} {exists a}
                {set a 1} {expire a -1 gt} {exists a} {expire a 0 lt} {exists a}
                {set a 1} {expire a 0} {exists a}
                {set a 1} {pexpire a -100} {exists a}
                {set a 1} {expireat a 1} {exists a}
                {set a 1} {pexpireat a 0} {exists a}
                {set a 1} {expireat a 4102444800} {expiretime a} {pexpiretime a}
                {pexpireat a 4102444800123} {expiretime a} {pexpiretime a}
                {pexpireat a 4102444800499} {expiretime a}
                {pexpireat a 4102444800500} {expiretime a}
                {pexpireat a 4102444800123 lt} {pexpireat a 4102444800124 gt}
                {pexpiretime a} {pexpireat a 4102444800000 xx} {pexpiretime a}
                {expire nokey 10} {pexpire nokey 10} {expireat nokey 10}
                {pexpireat nokey 10} {expire nokey 10 nx xx} {expire nokey abc}
                {expire} {expire a} {pexpireat a}
            } { assert_same $cmd }
        }

        test {TTL PTTL EXPIRETIME PEXPIRETIME PERSIST match redis} {
            foreach cmd {
                {flushall} {set a 1}
                {ttl a} {pttl a} {expiretime a} {pexpiretime a}
                {ttl nokey} {pttl nokey} {expiretime nokey} {pexpiretime nokey}
                {persist a} {persist nokey}
                {expire a 1000} {persist a} {persist a} {ttl a} {pttl a}
                {pexpireat a 4102444800000} {persist a} {pexpiretime a}
                {ttl} {ttl a b} {persist} {persist a b}
            } { assert_same $cmd }
            # relative TTLs: the value depends on the clock, the form does not
            assert_same {expire a 1000}
            assert_same {ttl a} {:(999|1000)\r\n}
            assert_same {pttl a} {:(99[0-9]{4}|1000000)\r\n}
        }

        test {RENAME RENAMENX match redis} {
            foreach cmd {
                {flushall}
                {rename nokey nokey} {renamenx nokey nokey} {rename nokey x}
                {renamenx nokey x}
                {set a 1} {rename a a} {renamenx a a} {get a}
                {set b hello} {rename b a} {get a} {get b} {exists b}
                {set b other} {renamenx a b} {renamenx a c} {get c} {exists a}
                {rename c b} {get b}
                {set "x\x00y" bin} {rename "x\x00y" "x\x00z"} {get "x\x00z"}
                {exists "x\x00y"}
                {pexpireat b 4102444800123} {rename b t} {pexpiretime t}
                {set t2 v} {renamenx t t2} {pexpiretime t}
                {rename t t2} {pexpiretime t2} {get t2}
                {set t3 v} {expire t3 1000} {rename t2 t3} {pexpiretime t3}
                {rename} {rename a} {rename a b c} {renamenx a}
            } { assert_same $cmd }
        }

        test {COPY matches redis (DB, REPLACE, errors)} {
            foreach cmd {
                {flushall} {set a 1}
                {copy a b db} {copy a b db x} {copy a b db 16} {copy a b db -1}
                {copy a b db 2147483648} {copy a b db -2147483649}
                {copy a b db 1.0} {copy a b foo} {copy a b replace foo}
                {copy a a} {copy a a db 0} {copy a a replace}
                {copy nokey nokey} {copy nokey x} {copy nokey x db 3}
                {copy a b} {get b} {copy a b} {set a 2} {copy a b}
                {copy a b replace} {get b} {copy a b REPLACE DB 0}
                {copy a b db 0 db 1} {copy a b db 0 db x} {copy a b db 1 db 0}
                {copy a a db 1} {copy a a db 1} {copy a a db 1 replace}
                {select 1} {get a} {get b} {select 0}
                {set big "0123456789012345678901234567890123456789012345678901234567890123456789"}
                {pexpireat big 4102444800777} {copy big big2} {get big2}
                {pexpiretime big2} {copy big big2 db 2} {select 2}
                {pexpiretime big2} {get big2} {select 0}
                {set n 12345} {copy n n2} {get n2}
                {copy} {copy a} {copy a b db}
            } { assert_same $cmd }
        }

        test {MOVE matches redis} {
            foreach cmd {
                {flushall} {set a 1}
                {move a 0} {move a 99} {move a 16} {move a -1} {move a x}
                {move a 2147483648} {move nokey 0} {move nokey 1}
                {move a 1} {exists a} {move a 1} {select 1} {get a}
                {set a other} {select 0} {set a mine} {move a 1} {get a}
                {select 1} {get a} {select 0}
                {pexpireat a 4102444800999} {select 1} {del a} {select 0}
                {move a 1} {select 1} {pexpiretime a} {get a} {select 0}
                {move} {move a} {move a 1 2}
            } { assert_same $cmd }
        }

        test {SCAN arguments and errors match redis} {
            foreach cmd {
                {flushall} {set a 1} {set k2 v} {set k3 hello}
                {scan "0 "} {scan " 0"} {scan 0x1}
                {scan 18446744073709551616} {scan abc}
                {scan 0 count 0} {scan 0 count -1} {scan 0 count x}
                {scan 0 count} {scan 0 match} {scan 0 type} {scan 0 foo bar}
                {scan 0 count 99999999999999999999} {scan 0 count 1.5}
                {scan} {scan 0 MATCH} {scan 0 count 10 match}
            } { assert_same $cmd }
            # "-1" is a valid cursor to strtoul (it wraps); where it lands
            # in the table is the table's own business
            assert_equal [llength [r scan -1]] 2
            assert_equal [llength [oracle scan -1]] 2
            foreach cmd {
                {scan 0} {scan 0 count 1000} {scan "" count 1000}
                {scan +0 count 1000} {scan -0 count 1000} {scan 00 count 1000}
                {scan 0 count 9223372036854775807}
                {scan 0 match k* count 1000} {scan 0 match * count 1000}
                {scan 0 match {k[23]} count 1000} {scan 0 match nomatch count 1000}
                {scan 0 type string count 1000} {scan 0 TYPE STRING count 1000}
                {scan 0 type list count 1000} {scan 0 type foo count 1000}
                {scan 0 type none count 1000}
                {scan 0 count 5 count 1000 match a* match k*}
                {scan 0 type list type string count 1000}
            } { same_sorted $cmd }
        }

        test {SCAN HSCAN SSCAN ZSCAN read option names and the cursor up to a NUL, as redis} {
            foreach cmd {
                {flushall} {hset h f v g w} {sadd s 1 2 3} {zadd z 1 m 2 n}
                {hscan h 0 "count\0x" 5} {hscan h 0 "MATCH\0" f*} {hscan h "0\0x"}
                {sscan s 0 "count\0x" 5} {sscan s 0 "match\0y" 1*} {sscan s "0\0x"}
                {zscan z 0 "count\0" 5} {zscan z 0 "match\0" m*} {zscan z "0\0x"}
                {hscan h 0 "count\0" 0} {sscan s 0 "type\0" set} {zscan z 0 "\0count" 5}
            } { assert_same $cmd }
            foreach cmd {
                {scan 0 "count\0x" 1000} {scan 0 "match\0" h*} {scan 0 "type\0x" zset}
                {scan "0\0x" count 1000}
            } { same_sorted $cmd }
        }

        test {KEYS and RANDOMKEY match redis} {
            foreach cmd {
                {keys *} {keys k*} {keys {k[2-3]}} {keys {k[^2]}} {keys ?}
                {keys ??} {keys {\k*}} {keys nomatch} {keys {}} {keys *3}
                {keys K*}
            } { same_sorted $cmd }
            foreach cmd {
                {keys} {keys a b} {randomkey x}
                {flushall} {randomkey} {keys *} {set only 1} {randomkey}
                {set "x\x00y" 1} {keys x*} {del only} {randomkey}
            } { assert_same $cmd }
        }

        test {Replies in RESP3 match redis} {
            r hello 3
            oracle hello 3
            foreach cmd {
                {flushall} {randomkey} {keys *} {scan 0} {set a 1}
                {randomkey} {keys *} {scan 0} {scan 0 match nomatch}
                {type a} {type nokey} {ttl a} {exists a} {rename nokey x}
                {copy a b} {move b 1} {expire a 100 nx xx}
            } { assert_same $cmd }
            r hello 2
            oracle hello 2
        }

        test {Keyspace hits and misses count as in redis (which lookup each uses)} {
            set stats {keyspace_hits|keyspace_misses|expired_keys}
            foreach c {r oracle} { $c flushall; $c set a 1; $c set b 2; $c config resetstat }
            foreach cmd {
                {exists a nokey a} {touch a nokey} {type a} {type nokey}
                {ttl a} {pttl nokey} {expiretime a} {pexpiretime nokey}
                {del a nokey} {set a 1} {unlink nokey} {expire a 100} {expire nokey 1}
                {persist a} {persist nokey} {rename a c} {rename nokey x}
                {renamenx c b} {copy b d} {copy nokey x} {copy b d replace}
                {move d 1} {move nokey 1} {keys *} {randomkey} {dbsize}
                {scan 0 count 100} {scan 0 type string count 100}
                {scan 0 match b type string count 100}
            } { catch {r {*}$cmd}; catch {oracle {*}$cmd} }
            assert_same_stats $stats 3
        }

        test {INFO keyspace (keys, expires) follows the key commands as in redis} {
            foreach cmd {
                {flushall} {set a 1} {set b 2} {set c 3} {expire a 1000}
                {pexpireat b 4102444800000} {rename a a2} {copy a2 a3}
                {copy b b2 db 1} {move c 1} {expire c 100} {select 1}
                {expire c 100} {rename c c2} {persist b2} {select 0}
                {persist a3} {expire a2 100 xx} {renamenx a2 b} {rename b a2}
                {copy a2 a3 replace} {del a2} {set x 1} {expire x -1}
            } {
                assert_same $cmd
                assert_same {info keyspace} {^\$[0-9]+|avg_ttl=[0-9]+}
            }
        }

        test {Randomized key commands match redis} {
            # A small key space over two databases, so commands collide.
            # TTLs are absolute (EXPIREAT far in the future) or only their
            # form is compared, so no reply depends on the clock.
            r flushall
            oracle flushall
            set names {k0 k1 k2 k3 k4 k5 k6 k7 big0 big1}
            set bigval [string repeat abcdefgh 10]
            set future 4102444800000
            for {set i 0} {$i < 3000} {incr i} {
                set k [lindex $names [randomInt 10]]
                set k2 [lindex $names [randomInt 10]]
                set t [expr {$future + [randomInt 1000000]}]
                set opt [lindex {{} nx xx gt lt {nx xx} {gt lt}} [randomInt 7]]
                switch [randomInt 24] {
                    0 { set cmd [list set $k [expr {[string match big* $k] ? $bigval : $i}]] }
                    1 { set cmd [list del $k $k2] }
                    2 { set cmd [list unlink $k] }
                    3 { set cmd [list exists $k $k2 $k] }
                    4 { set cmd [list touch $k $k2] }
                    5 { set cmd [list type $k] }
                    6 { set cmd [list pexpireat $k $t {*}$opt] }
                    7 { set cmd [list expireat $k [expr {$t / 1000}] {*}$opt] }
                    8 {
                        # relative: GT/LT between two of these would race the clock
                        set opt [lindex {{} nx xx} [randomInt 3]]
                        set cmd [list expire $k [expr {100000 + [randomInt 1000]}] {*}$opt]
                    }
                    9 { set cmd [list pexpire $k [expr {-1000 + [randomInt 500]}] {*}$opt] }
                    10 { set cmd [list pexpiretime $k] }
                    11 { set cmd [list expiretime $k] }
                    12 { set cmd [list ttl $k] }
                    13 { set cmd [list persist $k] }
                    14 { set cmd [list rename $k $k2] }
                    15 { set cmd [list renamenx $k $k2] }
                    16 { set cmd [list copy $k $k2 {*}[lindex {{} replace {db 1} {db 1 replace}} [randomInt 4]]] }
                    17 { set cmd [list move $k [randomInt 2]] }
                    18 { set cmd [list select [randomInt 2]] }
                    19 { set cmd [list get $k] }
                    20 { set cmd [list dbsize] }
                    21 { set cmd [list keys *] }
                    22 { set cmd [list scan 0 count 1000 match [lindex {* k* big*} [randomInt 3]]] }
                    23 { set cmd [list pttl $k] }
                }
                switch [lindex $cmd 0] {
                    keys - scan { same_sorted $cmd }
                    ttl { assert_same $cmd {:[0-9]{5,}\r\n} }
                    pttl { assert_same $cmd {:[0-9]{8,}\r\n} }
                    expiretime { assert_same $cmd {:1[0-9]{9}\r\n} }
                    pexpiretime { assert_same $cmd {:1[0-9]{12}\r\n} }
                    default { assert_same $cmd }
                }
            }
            # and the end states are the same, TTLs compared by form
            foreach db {0 1} {
                r select $db
                oracle select $db
                same_sorted {keys *}
                foreach k [r keys *] {
                    assert_same [list get $k]
                    assert_same [list ttl $k] {:[0-9]+\r\n}
                }
            }
            r select 0
            oracle select 0
            assert_same {info keyspace} {^\$[0-9]+|avg_ttl=[0-9]+}
        }
    }
}

start_server {tags {keys scan}} {
    test {SCAN returns every key of a 10k-key db (default COUNT and others)} {
        keys_populate 10000 key:
        assert_equal [r dbsize] 10000
        set all {}
        for {set i 0} {$i < 10000} {incr i} { lappend all key:$i }
        set all [lsort $all]
        foreach count {{} 1 7 100 1000 100000} {
            set extra [expr {$count eq {} ? {} : [list count $count]}]
            lassign [keys_scan_all {*}$extra] keys calls
            assert_equal [lsort -unique $keys] $all "SCAN $extra"
            # duplicates only come from a resize in flight: few
            assert_range [llength $keys] 10000 20000
            if {$count eq {}} { assert_range $calls 500 1100 }
            if {$count eq {100000}} { assert_equal $calls 1 }
        }
    }

    test {SCAN COUNT bounds the batch roughly} {
        set cur 0
        set max 0
        for {set i 0} {$i < 50} {incr i} {
            lassign [r scan $cur count 20] cur batch
            set max [expr {max($max, [llength $batch])}]
            if {$cur eq "0"} break
        }
        assert_range $max 20 60
    }

    test {SCAN MATCH and TYPE filter, and still walk the whole table} {
        lassign [keys_scan_all match key:1?? count 50] keys
        set want {}
        for {set i 100} {$i < 200} {incr i} { lappend want key:$i }
        assert_equal [lsort -unique $keys] [lsort $want]
        lassign [keys_scan_all match {key:[0-4]} type string] keys
        assert_equal [lsort -unique $keys] {key:0 key:1 key:2 key:3 key:4}
        lassign [keys_scan_all type STRING count 500] keys
        assert_equal [llength [lsort -unique $keys]] 10000
        lassign [keys_scan_all type hash count 500] keys calls
        assert_equal $keys {}
        assert {$calls > 1}
    }

    test {SCAN guarantee holds while keys are added and deleted (resizes)} {
        # key:* stay for the whole scan; tmp*:* come and go, growing the
        # table to several times its size, then all go, so it shrinks.
        set cur 0
        set seen [dict create]
        set calls 0
        set batches {}
        while 1 {
            lassign [r scan $cur count 50] cur batch
            foreach k $batch { dict set seen $k 1 }
            incr calls
            if {$calls % 4 == 0 && [llength $batches] < 20} {
                keys_populate 2000 tmp$calls:
                lappend batches tmp$calls:
            } elseif {$calls % 4 == 2 && [llength $batches] == 20} {
                foreach p $batches { keys_delete 2000 $p }
                lappend batches done
            }
            if {$cur eq "0" || $calls > 100000} break
        }
        assert_equal [r dbsize] 10000
        for {set i 0} {$i < 10000} {incr i} {
            if {![dict exists $seen key:$i]} { fail "key:$i missed by SCAN" }
        }
    }

    test {SCAN does not return expired keys and deletes them} {
        r flushdb
        r debug set-active-expire 0
        keys_populate 100 live:
        keys_populate 100 dead:
        for {set i 0} {$i < 100} {incr i} { r pexpire dead:$i 100 }
        r debug jump 1000
        lassign [keys_scan_all count 7] keys
        assert_equal [llength $keys] 100
        foreach k $keys { assert_match live:* $k }
        assert_equal [r dbsize] 100
        r debug set-active-expire 1
        r debug reset-clock
    }

    test {KEYS skips expired keys without deleting them} {
        r flushdb
        r debug set-active-expire 0
        keys_populate 10 live:
        keys_populate 10 dead:
        for {set i 0} {$i < 10} {incr i} { r pexpire dead:$i 100 }
        r debug jump 1000
        assert_equal [lsort [r keys *]] [lsort [r keys live:*]]
        assert_equal [llength [r keys *]] 10
        assert_equal [r keys dead:*] {}
        assert_equal [r dbsize] 20
        r debug set-active-expire 1
        r debug reset-clock
    }

    test {RANDOMKEY skips and deletes expired keys, nil when all expired} {
        r flushdb
        r debug set-active-expire 0
        keys_populate 50 dead:
        r set live 1
        for {set i 0} {$i < 50} {incr i} { r pexpire dead:$i 100 }
        r debug jump 1000
        for {set i 0} {$i < 20} {incr i} { assert_equal [r randomkey] live }
        r del live
        assert_equal [r randomkey] {}
        assert_equal [r dbsize] 0
        r debug set-active-expire 1
        r debug reset-clock
    }

    test {RANDOMKEY eventually returns every key} {
        r flushdb
        keys_populate 5 r:
        set seen [dict create]
        for {set i 0} {$i < 500 && [dict size $seen] < 5} {incr i} {
            dict set seen [r randomkey] 1
        }
        assert_equal [lsort [dict keys $seen]] {r:0 r:1 r:2 r:3 r:4}
    }

    test {RENAME, COPY and MOVE of a long value keep it intact} {
        r flushdb
        set v [string repeat "long value " 1000]
        r set a $v
        r rename a b
        assert_equal [r get b] $v
        r copy b c
        r append c x
        assert_equal [r get b] $v
        assert_equal [r get c] ${v}x
        r move c 5
        r select 5
        assert_equal [r get c] ${v}x
        r flushdb
        r select 0
        assert_equal [r exists a b c] 1
    }
}

start_server {tags {keys}} {
start_oracle_redis {} {
    test {SCAN TYPE compares the type name up to a NUL byte, as redis} {
        foreach c {r oracle} { $c flushall; $c set s 1; $c sadd st a }
        assert_same [list scan 0 type "string\x00junk"]
        assert_same [list scan 0 type "set\x00"]
        assert_same [list scan 0 type "\x00"]
    }
}
}
