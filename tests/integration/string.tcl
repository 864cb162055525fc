# tests/integration/string.tcl: the string commands (GET SET SETNX SETEX
# PSETEX MGET MSET MSETNX INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND STRLEN
# GETRANGE SUBSTR SETRANGE GETDEL GETEX GETSET SETBIT GETBIT BITCOUNT).
#
# Most of it is differential: every command goes to shoal-server and to
# redis-server 7.0.15 and the raw reply bytes must be identical, so the
# exact reply and error texts are proved, not restated. Expiry (which needs
# DEBUG JUMP, which redis lacks) is tested on shoal alone.

start_server {tags {strings}} {
start_oracle_redis {} {

    test {GET and SET: missing, empty, overwrite, arity} {
        del_both k
        same {
            {get k} {set k v} {get k} {set k ""} {get k} {set k 12345} {get k}
            {set k} {get} {get k x} {set k v x}
        }
    }

    test {SET options: every combination, conflict and malformed expire} {
        del_both k nk
        same {
            {set k 1 nx nx} {set k 1 xx xx} {set k 1 ex 10 ex 20} {set k 1 px 10 px 20}
            {set k 1 px 10 ex 10} {set k 1 ex 10 px 10} {set k 1 ex 10 exat 99999999999}
            {set k 1 exat 99999999999 pxat 99999999999000} {set k 1 pxat 99999999999000 px 5}
            {set k 1 keepttl keepttl} {set k 1 keepttl ex 10} {set k 1 ex 10 keepttl}
            {set k 1 keepttl px 10} {set k 1 pxat 99999999999000 keepttl}
            {set k 1 get get} {set k 1 nx xx} {set k 1 xx nx} {set k 1 NX} {set k 1 Xx}
            {set k 1 ex} {set k 1 px} {set k 1 exat} {set k 1 pxat} {set k 1 nx ex}
            {set k 1 persist} {set k 1 foo} {set k 1 ex 10 foo} {set k 1 "" }
            {set k 1 ex 0} {set k 1 ex -1} {set k 1 px 0} {set k 1 px -5}
            {set k 1 exat 0} {set k 1 exat -1} {set k 1 pxat 0} {set k 1 pxat -1}
            {set k 1 ex abc} {set k 1 ex 1.5} {set k 1 px " 1"} {set k 1 ex 01}
            {set k 1 ex 9223372036854775} {set k 1 ex 9223372036854776}
            {set k 1 px 9223372036854775807} {set k 1 px 9223372036854775806}
            {set k 1 exat 9223372036854775} {set k 1 exat 9223372036854776}
            {set k 1 pxat 9223372036854775807} {set k 1 ex 9223372036854775808}
            {set k 1 KeepTTL} {set k 1 Ex 100} {set k 1 pX 100000} {set k 1 EXAT 99999999999}
            {set k 1 nx ex 0} {set nk 1 xx ex abc} {get nk}
        }
        # arguments are compared as C strings: a NUL ends the option name
        same [list [list set k 1 "nx\x00zz"] [list set k 2 "get\x00"] [list set k 3 "ex\x00" 100] \
            [list set k 4 "keepttl\x00x"] [list set k 5 "\x00nx"]]
    }

    test {SET NX / XX / GET: old values, nil, no write when the condition fails} {
        del_both k k2 k3
        same {
            {set k v1 nx} {set k v2 nx} {get k} {set k2 v xx} {get k2} {set k v3 xx} {get k}
            {set k v4 get} {set k v5 nx get} {get k} {set k v6 xx get} {get k}
            {set k2 w xx get} {get k2} {set k2 w nx get} {get k2}
            {set k3 a get ex 100} {set k3 b px 100000 get nx} {set k3 c GET XX KEEPTTL} {get k3}
        }
    }

    test {SET TTL handling: plain SET clears, KEEPTTL keeps, past EXAT/PXAT is gone} {
        del_both k
        same {
            {set k a ex 100} {ttl k} {set k b} {ttl k}
            {set k a ex 100} {set k b keepttl} {ttl k} {get k}
            {set k c px 200000} {ttl k} {set k d exat 1} {get k} {ttl k}
            {set k e pxat 1 get} {get k} {set k f exat 1 nx} {get k}
            {set k g exat 99999999999} {expiretime k} {set k h keepttl xx} {pexpiretime k}
        }
    }

    test {SETNX SETEX PSETEX: replies, errors, TTLs} {
        del_both k k2
        same {
            {setnx k a} {setnx k b} {get k} {setnx k} {setnx k a b}
            {setex k 100 v} {ttl k} {get k} {setex k 0 v} {setex k -1 v} {setex k abc v}
            {setex k 9223372036854775 v} {setex k 9223372036854776 v} {setex k 1.5 v} {setex k 10}
            {psetex k2 100000 v} {ttl k2} {psetex k2 0 v} {psetex k2 -3 v} {psetex k2 x v}
            {psetex k2 9223372036854775807 v} {get k2} {setnx k2 z} {get k2}
        }
    }

    test {MGET MSET MSETNX: arity, duplicates, missing keys} {
        del_both a b c d
        same {
            {mset a 1 b 2} {mget a b c} {mget c} {mset a} {mset a 1 b} {msetnx a 1 b}
            {msetnx c 3 a 9} {mget a c} {msetnx c 3 d 4} {mget a b c d}
            {msetnx x1 1 x1 2} {get x1} {mset a 5 a 6} {get a} {mget a a a} {mget}
            {del x1}
        }
    }

    test {INCR DECR INCRBY DECRBY: bounds around LLONG_MAX/MIN and strict parsing} {
        del_both n m p
        same {
            {incr n} {incr n} {decr n} {incrby n 10} {decrby n 20} {get n}
            {set n 9223372036854775806} {incr n} {incr n} {get n} {decrby n -1} {incrby n 1}
            {incrby n -9223372036854775807} {incrby n -9223372036854775807} {incrby n -1}
            {incrby n -1} {get n} {decr n} {decrby n 1}
            {set n -9223372036854775807} {decr n} {decr n} {incrby n -1}
            {decrby n 9223372036854775807} {decrby n -9223372036854775808}
            {decrby m -9223372036854775808} {incrby m -9223372036854775808} {get m}
            {incrby m 9223372036854775807} {incrby m 1} {get m} {decrby m 9223372036854775807}
            {incrby n abc} {incrby n 1.0} {incrby n ""} {incrby n " 1"} {incrby n 01}
            {incrby n 9223372036854775808} {decrby n -9223372036854775809}
            {set p abc} {incr p} {set p " 1"} {incr p} {set p 01} {incr p} {set p -0} {incr p}
            {set p +1} {incr p} {set p 1.0} {decr p} {set p 12345678901234567890} {incr p}
            {set p ""} {incr p} {incr} {incrby p} {get p}
        }
    }

    test {INCR keeps the TTL and the int encoding} {
        del_both n
        same {
            {set n 10 ex 100} {incr n} {ttl n} {incrby n -5} {ttl n} {get n}
        }
        same_encoding n
        same {{set n abc} {setrange n 0 123} {incr n}}
        same_encoding n
        same {{incrby n 100000000000} {incrby n -1000000000000}}
        same_encoding n
    }

    test {INCRBYFLOAT: formatting, errors, NaN/Infinity, embstr encoding, TTL} {
        del_both f g h
        same {
            {incrbyfloat f 10.5} {incrbyfloat f 0.1} {incrbyfloat f -5} {incrbyfloat f 3.0e3}
            {incrbyfloat f 1e-17} {incrbyfloat f -0.1} {incrbyfloat f .1} {incrbyfloat f 0x10}
            {incrbyfloat f 1e308} {incrbyfloat f 1e308} {incrbyfloat f -1e308} {get f}
            {incrbyfloat f abc} {incrbyfloat f ""} {incrbyfloat f " 1"} {incrbyfloat f "1 "}
            {incrbyfloat f inf} {incrbyfloat f -inf} {incrbyfloat f nan} {incrbyfloat f 1e5000}
            {incrbyfloat f 1e-5000} {incrbyfloat f 1e-4950}
            {set g abc} {incrbyfloat g 1} {set g 1.5x} {incrbyfloat g 1}
            {incrbyfloat g2 -0} {get g2} {incrbyfloat g2 0.1} {incrbyfloat g2 0.2}
            {set h 5 ex 100} {incrbyfloat h 1.5} {ttl h} {incrbyfloat h 0.5} {get h} {incr h}
            {incrbyfloat h} {incrbyfloat}
        }
        same [list [list incrbyfloat f "1\x00"] [list incrbyfloat f "\x00"] \
            [list incrbyfloat f [string repeat 1 5119]] [list incrbyfloat f [string repeat 1 5120]]]
        foreach v {10 7.5 3} {
            same [list [list set e $v] {incrbyfloat e 2} {incrbyfloat e2 2}]
            same_encoding e e2
        }
        del_both e e2
    }

    test {APPEND STRLEN GETRANGE SUBSTR: ranges, negative and huge indexes} {
        del_both s i e
        same {
            {append s hello} {append s " world"} {get s} {strlen s} {strlen nokey}
            {append e ""} {get e} {strlen e} {getrange e 0 -1} {getrange e 0 0}
            {getrange s 0 4} {getrange s -5 -1} {getrange s 6 100} {getrange s 100 200}
            {getrange s -1 -2} {getrange s -100 -50} {getrange s 0 -100} {getrange s 5 2}
            {getrange s -9223372036854775808 9223372036854775807} {getrange s 3 3}
            {getrange nokey 0 -1} {getrange nokey a b} {getrange s a 1} {getrange s 1 b}
            {getrange s 1.5 2} {substr s 0 4} {substr s -3 -1} {substr nokey 1 2}
            {set i 12345} {getrange i 1 2} {getrange i -2 -1} {strlen i} {append i 6} {get i}
            {set i -9223372036854775808} {strlen i} {getrange i 0 0}
            {append} {append s} {strlen} {getrange s 0}
        }
    }

    test {SETRANGE: creation, zero padding, empty value, offsets} {
        del_both r r2 r3
        same {
            {setrange r 0 ""} {get r} {setrange r 5 ""} {get r} {setrange r 3 abc} {get r}
            {setrange r 1 X} {get r} {setrange r 1 ""} {setrange r 10 end} {get r} {strlen r}
            {setrange r -1 x} {setrange r abc x} {setrange r 1.0 x} {setrange r 01 x}
            {setrange r 9223372036854775807 x} {setrange r 536870911 x} {setrange r 536870912 x}
            {set r2 12345} {setrange r2 2 x} {get r2} {set r3 hello} {setrange r3 0 H} {get r3}
            {setrange nokey2 -1 ""} {setrange nokey2 abc ""} {setrange} {setrange r 1}
        }
    }

    test {GETDEL GETEX GETSET} {
        del_both a b c
        same {
            {set a 1} {getdel a} {getdel a} {get a} {getdel nokey}
            {set b v ex 100} {getset b w} {ttl b} {get b} {getset c x} {get c} {getset c}
            {getex b} {getex b ex 100} {ttl b} {getex b persist} {ttl b} {getex b px 200000}
            {ttl b} {getex b exat 99999999999} {expiretime b} {getex b pxat 99999999999123} {pexpiretime b}
            {getex b persist persist} {ttl b} {getex b ex 10 ex 20} {ttl b}
            {getex b ex 10 px 10} {getex b persist ex 10} {getex b ex 10 persist}
            {getex b keepttl} {getex b nx} {getex b xx} {getex b get} {getex b ex}
            {getex b ex 0} {getex b ex -1} {getex b px 0} {getex b exat 0} {getex b pxat -1}
            {getex b ex abc} {getex b ex 9223372036854775} {getex b ex 9223372036854776}
            {getex b px 9223372036854775807} {getex nokey ex -1} {getex nokey foo}
            {getex nokey ex abc} {getex b exat 1} {get b} {set b z} {getex b pxat 1} {get b}
            {getex} {getdel} {getdel a b}
        }
    }

    test {SETBIT GETBIT: offsets, bit values, growth} {
        del_both b i
        same {
            {setbit b 7 1} {get b} {setbit b 7 1} {setbit b 7 0} {get b} {setbit b 100 1}
            {strlen b} {getbit b 100} {getbit b 101} {getbit b 99999999} {getbit nokey 5}
            {setbit b 0 2} {setbit b 0 -1} {setbit b 0 x} {setbit b 0 01} {setbit b 0 ""}
            {setbit b -1 1} {setbit b abc 1} {setbit b 1.5 1} {setbit b 4294967296 1}
            {getbit b -1} {getbit b x} {getbit nokey abc} {getbit b 4294967296}
            {set i 5} {getbit i 2} {getbit i 5} {getbit i 7} {setbit i 6 1} {get i}
            {setbit} {setbit b 1} {getbit b}
        }
    }

    test {BITCOUNT: whole string, BYTE and BIT ranges, bad arguments} {
        del_both z e
        same {
            {set z foobar} {bitcount z} {bitcount z 0 0} {bitcount z 1 1} {bitcount z 1 -2}
            {bitcount z 0 -1 byte} {bitcount z 0 -1 BIT} {bitcount z 5 30 bit} {bitcount z 3 21 bit}
            {bitcount z 1 2 bit} {bitcount z -1 -2} {bitcount z -1 -2 bit} {bitcount z -1 -2 foo}
            {bitcount z -5 -1 bit} {bitcount z 7 7 bit} {bitcount z 0 6 bit} {bitcount z 47 100 bit}
            {bitcount z -9223372036854775808 9223372036854775807}
            {bitcount z -9223372036854775808 9223372036854775807 bit}
            {bitcount z 100 200} {bitcount z 1} {bitcount z 0 -1 foo} {bitcount z 0 -1 bit extra}
            {bitcount z a b} {bitcount z 0 b} {bitcount nokey} {bitcount nokey a b} {bitcount nokey 1}
            {append e ""} {bitcount e} {bitcount e 0 -1 bit} {bitcount e 0 0}
            {set z 1234567} {bitcount z} {bitcount z 2 4 bit} {bitcount}
        }
        same [list [list bitcount z 0 -1 "bit\x00x"] [list bitcount z 0 -1 "byte\x00"]]
    }

    test {OBJECT ENCODING after every kind of write} {
        del_both k
        set cases {
            {set k 1234567890123456789} {set k 12345678901234567890} {set k -0} {set k 007}
            {set k 123456789012345678901} {set k ""}
            {set k 12345678901234567890123456789012345678901234}
            {set k 123456789012345678901234567890123456789012345}
            {set k 5} {append k 1} {incr k} {setbit k 100 0} {set k 5} {setbit k 0 0}
            {set k 5} {setrange k 0 5} {set k abc} {setrange k 0 ""} {set k 5} {getrange k 0 0}
            {set k 5} {incrbyfloat k 1.5} {getset k 42} {mset k 43} {set k abc} {append k ""}
            {del k} {append k 12} {del k} {append k abc} {del k} {setrange k 0 7}
            {del k} {setbit k 3 1} {del k} {incr k} {setex k 100 10} {psetex k 100000 abc}
            {set k 7 get} {setnx k2 8} {msetnx k3 9 k4 abcd} {getex k ex 100} {set k 9 keepttl}
        }
        foreach cmd $cases {
            assert_same $cmd
            same_encoding k k2 k3 k4
        }
        del_both k k2 k3 k4
    }

    test {binary values with CR LF and NUL through every command} {
        del_both b1 b2 b3
        set v1 "a\r\nb\x00c\r\n\x00\xff"
        set v2 "\x00\x00\r\n"
        same [list \
            [list set b1 $v1] {get b1} {strlen b1} [list append b1 $v2] {get b1} \
            {getrange b1 1 6} [list setrange b1 3 $v2] {get b1} {bitcount b1} \
            [list mset b2 $v2 b3 $v1] {mget b1 b2 b3} [list getset b2 $v1] {getdel b2} \
            [list set "key\r\n\x00" $v1] [list get "key\r\n\x00"] [list getex "key\r\n\x00" ex 100] \
            [list msetnx "\x00" $v2] [list get "\x00"] [list incrbyfloat b1 1] [list incr b1] \
            [list set b3 "\r\n" get] {getbit b3 4} {setbit b3 6 1} {get b3} \
            [list del "key\r\n\x00" "\x00"]]
        same_encoding b1 b3
    }

    test {large values: 1 MB through SET GET APPEND SETRANGE GETRANGE BITCOUNT} {
        del_both big
        set mb [string repeat "0123456789abcdef" 65536]
        same [list [list set big $mb] {strlen big} [list append big $mb] {strlen big} \
            {setrange big 3000000 tail} {strlen big} {getrange big 2097140 2097160} \
            {bitcount big} {bitcount big 1000 -1000} {bitcount big 8000 800000 bit} \
            {getbit big 16777215} {setbit big 30000000 1} {strlen big} {getex big}]
        set got [r get big]
        assert_equal [string length $got] 3750001
        assert_equal [string range $got 0 1048575] $mb
        assert_same {get big}
        same_encoding big
        same [list [list set big $mb get] [list getset big x] {getdel big}]
    }

    test {pipelined mix of string commands gives the same byte stream} {
        del_both p1 p2 p3
        set cmds {}
        for {set i 0} {$i < 200} {incr i} {
            lappend cmds [list set p1 $i] {incr p1} [list append p2 "x$i\r\n"] {strlen p2} \
                {getrange p2 -5 -1} [list setbit p3 $i [expr {$i % 2}]] {bitcount p3} \
                {mget p1 p2 nokey} {incrbyfloat p1 0.5} {set p1 v nx get}
        }
        set bytes {}
        foreach c $cmds { append bytes [resp_encode $c] }
        assert_same_raw $bytes [llength $cmds]
        del_both p1 p2 p3
    }

    test {RESP3: nulls of GET, MGET, SET GET, GETEX, GETDEL} {
        set cmds {
            {hello 3} {get nokey} {mget nokey nokey} {set nokey v nx get} {getex nokey2}
            {getdel nokey2} {set nokey3 v xx} {incrbyfloat f3 1.5} {getrange nokey 0 1}
            {del nokey f3}
        }
        # HELLO's map carries a client id: mask all of it
        assert_same_raw [join [lmap c $cmds {resp_encode $c}] {}] [llength $cmds] \
            {^%7\r\n.*?\$7\r\nmodules\r\n\*0\r\n}
    }

    # A few thousand random string commands over a small keyspace; replies
    # must match byte for byte. The seed is in the failure message.
    test {randomized differential: string commands over a small keyspace} {
        set seed [expr {[clock clicks] & 0x7fffffff}]
        expr {srand($seed)}
        set keys {rk0 rk1 rk2 rk3 rk4 rk5}
        eval del_both $keys
        set vals [list 0 1 -1 7 42 9223372036854775807 -9223372036854775808 \
            9223372036854775806 -9223372036854775807 3.5 -0.25 1e3 abc "" " 1" 01 \
            "\x00\r\n" [string repeat z 44] [string repeat y 45] [string repeat w 300]]
        set nums {0 1 -1 2 -2 5 17 100 -100 9223372036854775807 -9223372036854775808 abc 1.5}
        proc rv {l} { lindex $l [randomInt [llength $l]] }
        for {set i 0} {$i < 3000} {incr i} {
            set k [rv $keys]
            set k2 [rv $keys]
            if {[randomInt 4] == 0} { set v [randstring 0 12 binary] } else { set v [rv $vals] }
            set n [rv $nums]
            if {[randomInt 10] == 0} { set off [rv $nums] } else { set off [randomInt 64] }
            set lo [expr {[randomInt 40] - 20}]
            set hi [expr {[randomInt 40] - 20}]
            set setopt [rv {{} nx xx get keepttl {ex 100} {px 100000} {exat 1} {pxat 99999999999000}
                {nx get} {xx get} {ex 0} {ex 100 keepttl} {nx xx} {get ex 100}}]
            set cmd [rv [list \
                [list get $k] [concat [list set $k $v] $setopt] [list setnx $k $v] \
                [list setex $k [rv {100 0 -1 x}] $v] [list psetex $k [rv {100000 0 x}] $v] \
                [list mget $k $k2 nokey] [list mset $k $v $k2 $n] [list msetnx $k $v $k2 $n] \
                [list incr $k] [list decr $k] [list incrby $k $n] [list decrby $k $n] \
                [list incrbyfloat $k [rv {1.5 -2 0.1 1e3 abc 7}]] [list append $k $v] \
                [list strlen $k] [list getrange $k $lo $hi] [list substr $k $lo $hi] \
                [list setrange $k $off $v] [list getdel $k] \
                [concat [list getex $k] [rv {{} persist {ex 100} {px 100000} {exat 1} {pxat 1} {ex 0} keepttl}]] \
                [list getset $k $v] [list setbit $k $off [rv {0 1 2}]] [list getbit $k $off] \
                [list bitcount $k] [list bitcount $k $lo $hi] [list bitcount $k $lo $hi [rv {bit byte BIT foo}]] \
            ]]
            if {[catch {assert_same $cmd} err]} {
                fail "seed $seed, command #$i [resp_escape $cmd]: $err"
            }
        }
        foreach k $keys {
            assert_same [list get $k]
            assert_same [list object encoding $k]
        }
        eval del_both $keys
    }
}
}

# A lower proto-max-bulk-len (1mb, the minimum) on both, to reach the limit.
start_server {proto-max-bulk-len 1mb tags {strings}} {
start_oracle_redis {proto-max-bulk-len 1mb} {
    test {proto-max-bulk-len bounds APPEND SETRANGE SETBIT} {
        set v [string repeat x 1048570]
        same [list [list set a $v] {append a 123456} {append a 1234567} {strlen a} {append a ""} \
            {setrange s 1048575 x} {strlen s} {setrange s 1048576 x} {setrange s 1048570 1234567} \
            {setrange s 9223372036854775807 x} {setrange s 0 ""} {setrange n 1048576 ""} \
            {setbit b 8388607 1} {strlen b} {setbit b 8388608 1} {getbit b 8388608} \
            {getbit b 8388607} {bitcount b 0 -1 bit} {bitcount b -1 -1} {del a s b}]
    }
}
}

# Expiry on shoal alone: DEBUG JUMP moves its clock (redis has no such
# command). Each test puts the clock back.
start_server {tags {strings expiry}} {
    proc jump {ms} { r debug jump $ms }

    test {SET EX / PX / SETEX / PSETEX expire at the right millisecond} {
        r set a v ex 10
        r set b v px 10000
        r setex c 10 v
        r psetex d 10000 v
        jump 9900
        assert_equal [r mget a b c d] {v v v v}
        jump 200
        assert_equal [r mget a b c d] {{} {} {} {}}
        r debug reset-clock
    }

    test {SET EXAT / PXAT: future expires then, past is gone at once} {
        set now [clock milliseconds]
        r set a v exat [expr {$now / 1000 + 100}]
        r set b v pxat [expr {$now + 100000}]
        r set c v pxat [expr {$now - 1}]
        r set d v exat 1
        assert_equal [r mget a b c d] {v v {} {}}
        assert_equal [r exists c d] 0
        jump 102000
        assert_equal [r mget a b] {{} {}}
        r debug reset-clock
    }

    test {TTL survives INCR INCRBYFLOAT APPEND SETRANGE SETBIT and KEEPTTL, not SET or GETSET} {
        foreach {k v cmd} {
            i 1 {incr i} f 1 {incrbyfloat f 1.5} a x {append a y} r x {setrange r 3 z}
            b x {setbit b 20 1} k x {set k y keepttl} s x {set s y} g x {getset g y}
            n 5 {incrby n 10} d 5 {decrby d 10}
        } {
            r set $k $v ex 10
            r {*}$cmd
        }
        jump 11000
        assert_equal [r mget i f a r b k s g n d] {{} {} {} {} {} {} y y {} {}}
        r debug reset-clock
    }

    test {GETEX EX PX EXAT PXAT PERSIST} {
        r set a v
        r set b v
        r set c v
        r set d v ex 10
        r set e v
        assert_equal [r getex a ex 10] v
        assert_equal [r getex b px 10000] v
        assert_equal [r getex c exat [expr {[clock seconds] + 100}]] v
        assert_equal [r getex d persist] v
        assert_equal [r getex e pxat [expr {[clock milliseconds] - 1}]] v
        assert_equal [r exists e] 0
        assert_equal [r ttl d] -1
        jump 10100
        assert_equal [r mget a b c d] {{} {} v v}
        jump 100000
        assert_equal [r mget c d] {{} v}
        r debug reset-clock
    }

    test {expired keys read as missing by every string command} {
        r set k 5 px 100
        r set s hello px 100
        jump 200
        assert_equal [r get k] {}
        r set k2 5 px 100
        r set s2 hello px 100
        r set b 5 px 100
        jump 200
        assert_equal [r incr k2] 1
        assert_equal [r append s2 x] 1
        assert_equal [r strlen s] 0
        assert_equal [r setnx b 1] 1
        assert_equal [r getbit nokey 1] 0
        r set x 1 px 100
        jump 200
        assert_equal [r set x 2 xx] {}
        assert_equal [r set x 3 nx get] {}
        assert_equal [r get x] 3
        r debug reset-clock
    }
}

# Overwrites keep the LFU counter (Redis's dbSetValue); with log factor 0
# and no decay the counter is deterministic, so both must agree.
start_server {maxmemory-policy allkeys-lfu lfu-log-factor 0 lfu-decay-time 0 tags {strings}} {
start_oracle_redis {maxmemory-policy allkeys-lfu lfu-log-factor 0 lfu-decay-time 0} {
    test {SET MSET GETSET INCRBYFLOAT overwrites keep the LFU counter} {
        same {
            {set k v} {get k} {get k} {object freq k} {set k w} {object freq k}
            {getset k x} {object freq k} {mset k y} {object freq k}
            {set k 1} {incrbyfloat k 1} {object freq k} {incr k} {object freq k}
            {append k z} {object freq k} {del k}
        }
    }
}
}

# Which commands count keyspace hits and misses (reads do, writes do not),
# and expired_keys for lazily expired keys, on a fresh pair.
start_server {tags {strings}} {
start_oracle_redis {} {
    test {keyspace_hits / keyspace_misses / expired_keys counted as Redis does} {
        same {
            {get a} {set a 1} {get a} {mget a b c} {set a 2 get} {set b 2 nx get} {getex a}
            {getex zz} {getdel b} {getdel b} {getset a 3} {getset c 3} {strlen a} {strlen q}
            {getrange a 0 1} {getrange q 0 1} {getbit a 1} {getbit q 1} {bitcount a}
            {bitcount q} {incr a} {incrbyfloat a 1} {append a x} {setrange a 0 y} {setbit a 1 1}
            {setnx a 1} {msetnx a 1} {mset a 1} {set e 1 pxat 1} {get e} {set e 1 exat 1}
            {incr e} {getex e2} {set e2 1} {getex e2 pxat 1} {get e2}
        }
        foreach f {keyspace_hits keyspace_misses expired_keys} {
            assert_equal [get_info_field [r info stats] $f] [get_info_field [oracle info stats] $f] $f
        }
    }
}
}
