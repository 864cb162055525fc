# tests/integration/hash.tcl: the hash commands (HSET HSETNX HGET HMGET
# HMSET HGETALL HDEL HEXISTS HLEN HKEYS HVALS HSTRLEN HINCRBY HINCRBYFLOAT
# HRANDFIELD HSCAN), their two encodings and the conversion between them.
#
# Differential against redis-server 7.0.15: raw reply bytes must be equal.
# A listpack hash has a fixed order (insertion order), so its replies are
# compared exactly; a hashtable's order is the table's, so those replies are
# compared as sorted field/value pairs. HRANDFIELD's picks are random on
# both sides, so they are checked by properties (sizes, uniqueness,
# membership, values), except where Redis's answer is fully determined
# (a one-field hash, COUNT >= size of a listpack, errors).

# A flat field/value list as sorted pairs.
proc sorted_pairs {flat} {
    set pairs {}
    foreach {f v} $flat { lappend pairs [list $f $v] }
    return [lsort $pairs]
}

# HGETALL/HKEYS/HVALS of a key on both, order-insensitive.
proc same_unordered {cmd} {
    set mine [r {*}$cmd]
    set theirs [oracle {*}$cmd]
    if {[string equal -nocase [lindex $cmd 0] hgetall]} {
        assert_equal [sorted_pairs $mine] [sorted_pairs $theirs] "$cmd"
    } else {
        assert_equal [lsort $mine] [lsort $theirs] "$cmd"
    }
}

# Every field of a hash by HSCAN from cursor 0 to 0 (duplicates kept).
proc hscan_all {client key args} {
    set cursor 0
    set out {}
    set rounds 0
    while 1 {
        lassign [$client hscan $key $cursor {*}$args] cursor items
        lappend out {*}$items
        if {$cursor == 0} break
        if {[incr rounds] > 100000} { fail "HSCAN did not finish" }
    }
    return $out
}

# Sets both servers' listpack thresholds.
proc thresholds {entries value} {
    both config set hash-max-listpack-entries $entries
    both config set hash-max-listpack-value $value
}

start_server {tags {hash}} {
start_oracle_redis {} {

    test {HSET HGET HMGET HLEN HEXISTS HSTRLEN on a listpack hash match redis} {
        both flushall
        same {
            {hset h a 1 b 2 c hello} {hget h a} {hget h c} {hget h zz} {hget nokey a}
            {hmget h a zz c b} {hmget nokey a b} {hlen h} {hlen nokey}
            {hexists h a} {hexists h zz} {hexists nokey a}
            {hstrlen h c} {hstrlen h a} {hstrlen h zz} {hstrlen nokey a}
            {hset h a 10 d 4} {hgetall h} {hkeys h} {hvals h} {hgetall nokey} {hkeys nokey} {hvals nokey}
            {hmset h e 5 a -1} {hgetall h} {hset h "" ""} {hget h ""} {hstrlen h ""}
            {hset h 9223372036854775807 -9223372036854775808 01 -0} {hgetall h}
            {hstrlen h 9223372036854775807} {hget h 01} {hexists h 1} {hexists h 010}
            {object encoding h} {type h}
        }
        # binary safe fields and values
        same [list [list hset b "a\x00b" "\x00\r\n" "\xff" ""] {hgetall b} [list hget b "a\x00b"] \
            [list hexists b "a\x00"] [list hstrlen b "a\x00b"]]
    }

    test {HSETNX HDEL and the deletion of an emptied hash match redis} {
        both flushall
        same {
            {hsetnx h a 1} {hsetnx h a 2} {hget h a} {hsetnx h b 3} {hgetall h}
            {hdel h zz} {hdel nokey a} {hdel h a a zz} {hgetall h} {exists h}
            {hdel h b c} {exists h} {hlen h} {hgetall h}
            {hset h a 1 b 2 c 3} {hdel h a b c d} {exists h}
            {hset h x 1} {hdel h x x} {exists h} {type h}
        }
    }

    test {HINCRBY matches redis: new fields, integers, overflow and errors} {
        both flushall
        same {
            {hincrby h a 1} {hincrby h a -5} {hincrby h a 0} {hincrby nh x 10} {hgetall nh}
            {hset h big 9223372036854775807 small -9223372036854775808 s abc f 1.5 sp " 1" z 01}
            {hincrby h big 1} {hincrby h big 0} {hincrby h big -1} {hincrby h small -1} {hincrby h small 1}
            {hincrby h s 1} {hincrby h f 1} {hincrby h sp 1} {hincrby h z 1}
            {hincrby h a x} {hincrby h a 1.5} {hincrby h a ""} {hincrby h a 9223372036854775808}
            {hincrby h a " 1"} {hincrby h a 9223372036854775807} {hincrby h a -9223372036854775808}
            {hincrby nokey a x} {hgetall h} {exists nokey}
        }
    }

    test {HINCRBYFLOAT matches redis: formatting, limits and errors} {
        both flushall
        same {
            {hincrbyfloat h a 1.5} {hincrbyfloat h a 0.1} {hincrbyfloat h a -1.6} {hget h a}
            {hincrbyfloat h b 10} {hincrbyfloat h b 5.0e3} {hincrbyfloat h c 1e-5} {hincrbyfloat h c -1e-5}
            {hincrbyfloat h d 3} {hincrby h d 1} {hincrbyfloat h d 0.5} {hincrby h d 1}
            {hincrbyfloat h a inf} {hincrbyfloat h a -inf} {hincrbyfloat h a nan} {hincrbyfloat h a abc}
            {hincrbyfloat h a ""} {hincrbyfloat h a " 1"} {hincrbyfloat h a "1 "} {hincrbyfloat h a 1e5000}
            {hincrbyfloat h a 1e-5000} {hincrbyfloat h e 1e-4940} {hincrbyfloat h a 0x10}
            {hset h s abc big 1e4931} {hincrbyfloat h s 1} {hincrbyfloat h big 1e4931}
            {hincrbyfloat nokey a x} {exists nokey} {object encoding h}
        }
        same_unordered {hgetall h}
        # the 5 KiB argument limit of string2ld
        set ok "1.[string repeat 0 5117]"
        set long "1.[string repeat 0 5118]"
        same [list [list hincrbyfloat h l $ok] [list hincrbyfloat h l $long] [list hincrbyfloat h l "1.5\x00"]]
        # INCRBYFLOAT shares the parser
        same [list [list incrbyfloat s $ok] [list incrbyfloat s $long] {incrbyfloat s 1e-4940} {incrbyfloat s 1e-5000}]
    }

    test {Wrong arity and wrong type errors match redis for every command} {
        both flushall
        both set str v
        same {
            {hset h} {hset h a} {hset h a 1 b} {hmset h a} {hmset h a 1 b} {hsetnx h a} {hsetnx h a 1 2}
            {hget h} {hget h a b} {hmget h} {hgetall} {hgetall h x} {hdel h} {hexists h} {hlen}
            {hkeys} {hvals h x} {hstrlen h} {hincrby h a} {hincrbyfloat h a} {hrandfield} {hscan h}
            {hset str a 1} {hmset str a 1} {hsetnx str a 1} {hget str a} {hmget str a} {hgetall str}
            {hdel str a} {hexists str a} {hlen str} {hkeys str} {hvals str} {hstrlen str a}
            {hincrby str a 1} {hincrbyfloat str a 1} {hrandfield str} {hrandfield str 2}
            {hrandfield str -2 withvalues} {hscan str 0} {get str}
            {hincrby str a x} {hincrbyfloat str a x} {hincrbyfloat str a inf} {hscan str x}
            {hrandfield str x} {hrandfield str 1 foo}
        }
        both hset h a 1
        same {{get h} {incr h} {append h x} {sadd h x} {type h}}
    }

    test {Encoding conversions follow redis (entries, value length, every writer)} {
        both flushall
        thresholds 4 8
        same {{config get hash-max-listpack-entries} {config get hash-max-ziplist-entries}
              {config get hash-max-listpack-value} {config get hash-max-ziplist-value}}
        assert_equal [llength [r config get hash-max-*]] 8
        set steps {
            {hset h f1 v1} {hset h f2 v2 f3 v3} {hset h f4 v4} {hset h f4 v44}
            {hset h f5 v5} {hdel h f1 f2 f3 f4} {hlen h}
            {hset v f 12345678} {hset v f 123456789} {hset w 123456789 v}
            {hset w2 a 1 b 2 c 3 d 4 e 5} {hset w3 a 1 b 2 c 3 d 4 a 5}
            {hsetnx n1 a 12345678} {hsetnx n2 a 123456789} {hset n3 a 1} {hsetnx n3 a 123456789}
            {hsetnx n3 longfieldname 1} {hincrby i1 longfieldname 1} {hincrby i2 f 99999999}
            {hincrby i2 f 1} {hincrbyfloat i3 f 1.1234567} {hincrbyfloat i4 f 1.12345678}
            {hmset m a 1 b 2 c 3 d 4} {hmset m e 5}
        }
        foreach cmd $steps {
            assert_same $cmd
            foreach k {h v w w2 w3 n1 n2 n3 i1 i2 i3 i4 m} { same_encoding $k }
        }
        # a hashtable stays one when it shrinks (redis never converts back)
        both hdel h f5
        same {{hlen h} {object encoding h}}
        # the aliases set the same values
        both config set hash-max-ziplist-entries 2
        both config set hash-max-ziplist-value 3
        same {{config get hash-max-listpack-entries} {config get hash-max-listpack-value}
              {hset a x 1 y 2} {object encoding a} {hset a z 3} {object encoding a}
              {hset b abc 1} {object encoding b} {hset c abcd 1} {object encoding c}}
        thresholds 512 64
    }

    test {Replies of hashtable hashes have every field and value (order-free)} {
        both flushall
        thresholds 4 8
        both hset h a 1 b 2 c 3 d 4 e 5 f 6 longvalue_1234 x
        same_encoding h
        foreach cmd {{hgetall h} {hkeys h} {hvals h}} { same_unordered $cmd }
        same {{hmget h a zz f longvalue_1234} {hlen h} {hstrlen h longvalue_1234}
              {hincrby h a 10} {hincrbyfloat h b 0.5} {hdel h c zz} {hsetnx h c 9} {hsetnx h c 10}}
        foreach cmd {{hgetall h} {hkeys h} {hvals h}} { same_unordered $cmd }
        thresholds 512 64
    }

    test {A listpack with long elements (header boundaries) reads back whole} {
        both flushall
        thresholds 512 100000
        foreach n {62 63 64 65 127 128 4094 4095 4096 4097 16383 16384} {
            set v [string repeat x $n]
            both hset lp f$n $v
            both hset lp $v $n
        }
        same {{object encoding lp} {hlen lp} {hgetall lp}}
        foreach n {63 64 4095 4096} {
            assert_same [list hstrlen lp f$n]
            assert_same [list hdel lp [string repeat x $n]]
        }
        same {{hgetall lp} {hkeys lp} {hvals lp}}
        thresholds 512 64
    }

    test {HSCAN of a listpack hash returns it whole with cursor 0, as redis} {
        both flushall
        both hset h a 1 b 2 ab 3 ba 4 abc 5 10 x
        same {
            {hscan h 0} {hscan h 0 count 1} {hscan h 123} {hscan h 0 match a*} {hscan h 0 match *b*}
            {hscan h 0 match nomatch} {hscan h 0 match 1*} {hscan h 0 MATCH a* COUNT 1 match b*}
            {hscan nokey 0} {hscan nokey 0 count 0} {hscan nokey 0 type string}
            {hscan h x} {hscan h -1} {hscan h " 1"} {hscan h 1x} {hscan h ""}
            {hscan h 18446744073709551615} {hscan h 18446744073709551616}
            {hscan h 0 count 0} {hscan h 0 count -1} {hscan h 0 count x} {hscan h 0 count}
            {hscan h 0 match} {hscan h 0 type string} {hscan h 0 novalues} {hscan h 0 foo bar}
        }
    }

    test {HSCAN of large hashtable hashes returns every field with its value} {
        foreach size {600 5000} {
            r del big
            set expect {}
            for {set i 0} {$i < $size} {incr i} {
                lappend expect [list field:$i val:$i]
            }
            set expect [lsort $expect]
            for {set i 0} {$i < $size} {incr i 100} {
                set args {}
                for {set j $i} {$j < $i + 100 && $j < $size} {incr j} { lappend args field:$j val:$j }
                r hset big {*}$args
            }
            assert_equal [r object encoding big] hashtable
            foreach count {1 10 100 1000} {
                set got [lsort -unique [sorted_pairs [hscan_all r big count $count]]]
                assert_equal $expect $got "HSCAN count $count of $size fields"
            }
            # MATCH filters fields only
            set got [lsort -unique [sorted_pairs [hscan_all r big match field:1?]]]
            set want {}
            foreach p $expect { if {[string match field:1? [lindex $p 0]]} { lappend want $p } }
            assert_equal $want $got
        }
        # fields deleted during the scan are never returned, the rest once at least
        set seen {}
        set cursor 0
        set deleted {}
        while 1 {
            lassign [r hscan big $cursor count 50] cursor items
            foreach {f v} $items { dict set seen $f $v }
            if {[llength $deleted] < 1000} {
                set f field:[expr {4999 - [llength $deleted]}]
                if {![dict exists $seen $f]} { r hdel big $f; lappend deleted $f }
            }
            if {$cursor == 0} break
        }
        foreach f $deleted { assert {![dict exists $seen $f]} }
        assert_equal [dict size $seen] [expr {5000 - [llength $deleted]}]
    }

    test {HRANDFIELD errors, empty and determined replies match redis} {
        both flushall
        both hset one f v
        both hset h a 1 b 2 c 3
        same {
            {hrandfield nokey} {hrandfield nokey 5} {hrandfield nokey -5 withvalues} {hrandfield nokey 0}
            {hrandfield h 0} {hrandfield h 0 withvalues} {hrandfield h x} {hrandfield h 1.5}
            {hrandfield h -9223372036854775808}
            {hrandfield h 9223372036854775807} {hrandfield h 4611686018427387904 withvalues}
            {hrandfield h -4611686018427387904 withvalues} {hrandfield h 4611686018427387903 withvalues}
            {hrandfield h -0} {hrandfield h 1 withvalue} {hrandfield h 1 withvalues x} {hrandfield h 1 foo}
            {hrandfield nokey 1 foo} {hrandfield nokey x}
            {hrandfield one} {hrandfield one 1} {hrandfield one -3} {hrandfield one 5 withvalues}
            {hrandfield one -3 withvalues} {hrandfield one 1 WITHVALUES}
            {hrandfield h 3} {hrandfield h 10 withvalues} {hrandfield h 100}
            {hrandfield h 0 "withvalues\0x"} {hrandfield one 1 "WITHVALUES\0"} {hrandfield h 0 "\0withvalues"}
        }
    }

    test {HRANDFIELD picks: counts, uniqueness, membership and values} {
        r flushall
        foreach {key size} {small 10 mid 100 large 1000} {
            set fields {}
            for {set i 0} {$i < $size} {incr i} {
                r hset $key f$i v$i
                dict set fields f$i v$i
            }
            assert_equal [r object encoding $key] [expr {$size > 512 ? "hashtable" : "listpack"}]
            if {$size == 100} {
                r hset $key f0 [string repeat v 65]     ;# force a hashtable
                dict set fields f0 [string repeat v 65]
                assert_equal [r object encoding $key] hashtable
            }
            for {set round 0} {$round < 20} {incr round} {
                set f [r hrandfield $key]
                assert {[dict exists $fields $f]}
            }
            # positive counts: distinct fields, min(count, size) of them
            foreach count [list 1 2 [expr {$size / 4}] [expr {$size / 2}] [expr {$size - 1}] $size [expr {$size + 5}]] {
                set got [r hrandfield $key $count]
                set n [expr {min($count, $size)}]
                assert_equal [llength $got] $n "count $count of $size"
                assert_equal [llength [lsort -unique $got]] $n
                foreach f $got { assert {[dict exists $fields $f]} }
                set got [r hrandfield $key $count withvalues]
                assert_equal [llength $got] [expr {2 * $n}]
                foreach {f v} $got { assert_equal [dict get $fields $f] $v }
            }
            # negative counts: exactly |count| picks, repeats allowed
            foreach count {-1 -5 -2000} {
                set got [r hrandfield $key $count]
                assert_equal [llength $got] [expr {-$count}]
                foreach f $got { assert {[dict exists $fields $f]} }
                set got [r hrandfield $key $count withvalues]
                assert_equal [llength $got] [expr {-2 * $count}]
                foreach {f v} $got { assert_equal [dict get $fields $f] $v }
            }
            # repeats do happen for small hashes, and every field can come up
            if {$size == 10} {
                set got [r hrandfield $key -2000]
                assert_equal [llength [lsort -unique $got]] 10
            }
            # unique picks are not always the same ones
            set a [lsort [r hrandfield $key [expr {$size / 2}]]]
            set differ 0
            for {set i 0} {$i < 10 && !$differ} {incr i} {
                if {[lsort [r hrandfield $key [expr {$size / 2}]]] ne $a} { set differ 1 }
            }
            assert {$differ}
        }
    }

    test {RESP3 replies match redis (maps, pairs, nulls)} {
        both flushall
        r hello 3
        oracle hello 3
        both hset one f v
        both hset h a 1 b 2 c 3
        same {
            {hgetall h} {hgetall nokey} {hkeys h} {hvals nokey} {hget h zz} {hmget h a zz}
            {hrandfield nokey} {hrandfield one} {hrandfield one 1 withvalues} {hrandfield one -2 withvalues}
            {hrandfield h 5 withvalues} {hrandfield h 5} {hrandfield h 0 withvalues} {hrandfield nokey 3 withvalues}
            {hscan h 0} {hscan nokey 0} {hincrbyfloat h a 1.5} {hlen h} {hexists h a}
        }
        # pairs in RESP3 from hashtables and random picks: shape only
        r hset big {*}[string repeat "x y " 1] long [string repeat z 100]
        set reply [r hrandfield big 1 withvalues]
        assert_equal [llength $reply] 1
        assert_equal [llength [lindex $reply 0]] 2
        set reply [r hrandfield big -3 withvalues]
        assert_equal [llength $reply] 3
        foreach pair $reply { assert_equal [llength $pair] 2 }
        r hello 2
        oracle hello 2
    }

    test {COPY RENAME MOVE TYPE OBJECT and MEMORY USAGE work on both encodings} {
        both flushall
        thresholds 4 64
        both hset small a 1 b 2
        both hset large a 1 b 2 c 3 d 4 e 5
        same {
            {copy small small2} {copy large large2} {hset small2 a 9} {hset large2 a 9}
            {hget small a} {hget large a} {hget small2 a} {hget large2 a}
            {object encoding small2} {object encoding large2} {type small2} {type large2}
            {rename small2 s3} {rename large2 l3} {hgetall s3} {hlen l3}
            {move s3 1} {move l3 1} {select 1} {hgetall s3} {hlen l3} {object encoding l3} {select 0}
        }
        assert_equal [lsort [lindex [r scan 0 type hash count 100] 1]] {large small}
        assert_equal [lsort [lindex [oracle scan 0 type hash count 100] 1]] {large small}
        same_unordered {hgetall large}
        foreach k {small large} {
            set m [r memory usage $k]
            assert {$m > 0}
        }
        # a hashtable's usage grows with its contents
        set before [r memory usage large]
        for {set i 0} {$i < 100} {incr i} { r hset large field$i [string repeat v 50] }
        assert {[r memory usage large] > $before + 5000}
        thresholds 512 64
    }

    test {Randomized hash commands match redis (thousands, across conversions)} {
        both flushall
        thresholds 16 12
        expr {srand(20261121)}
        set keys {h0 h1 h2 h3}
        set fields {a b c d e f g h i j k l m n o p q r s t 1 2 -3 012}
        set values {1 2 -7 0 x yy 1.5 abc 12345678901 9223372036854775807 "" -0}
        set n 0
        set writes {}
        for {set i 0} {$i < 3000} {incr i} {
            set k [lindex $keys [expr {int(rand() * 4)}]]
            set f [lindex $fields [expr {int(rand() * [llength $fields])}]]
            set f2 [lindex $fields [expr {int(rand() * [llength $fields])}]]
            set v [lindex $values [expr {int(rand() * [llength $values])}]]
            set v2 [lindex $values [expr {int(rand() * [llength $values])}]]
            # rarely: a long field or value (converts), or a fresh key
            set r100 [expr {int(rand() * 100)}]
            if {$r100 == 0} { set f longfield_abcdef }
            if {$r100 == 1} { set v longvalue_123456 }
            if {$r100 == 2} {
                assert_same [list del $k]
                continue
            }
            switch [expr {int(rand() * 17)}] {
                0 - 1 { set cmd [list hset $k $f $v] }
                2 { set cmd [list hset $k $f $v $f2 $v2] }
                3 { set cmd [list hsetnx $k $f $v] }
                4 - 5 { set cmd [list hdel $k $f] }
                6 { set cmd [list hdel $k $f $f2] }
                7 { set cmd [list hincrby $k $f [expr {int(rand() * 200) - 100}]] }
                8 { set cmd [list hincrbyfloat $k $f [lindex {0.5 -1.5 2 0.25 1e-3} [expr {int(rand() * 5)}]]] }
                9 { set cmd [list hget $k $f] }
                10 { set cmd [list hmget $k $f $f2] }
                11 { set cmd [list hexists $k $f] }
                12 { set cmd [list hstrlen $k $f] }
                13 { set cmd [list hlen $k] }
                14 { set cmd [list object encoding $k] }
                15 { set cmd [list hgetall $k] }
                16 { set cmd [list hkeys $k] }
            }
            set enc [oracle object encoding $k]
            if {[lindex $cmd 0] in {hgetall hkeys} && $enc eq "hashtable"} {
                same_unordered $cmd
            } else {
                assert_same $cmd
            }
            incr n
            if {[lindex $cmd 0] eq "hset"} { dict incr writes $enc }
        }
        # both encodings were exercised
        assert {[dict get $writes listpack] > 100 && [dict get $writes hashtable] > 100}
        foreach k $keys {
            same_encoding $k
            same_unordered [list hgetall $k]
        }
        assert {$n > 2800}
        thresholds 512 64
    }
}
}
