# tests/integration/zset.tcl: the sorted-set commands (ZADD ZINCRBY ZREM
# ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANK ZREVRANK ZRANGE ZRANGESTORE
# ZREVRANGE Z[REV]RANGEBYSCORE Z[REV]RANGEBYLEX ZREMRANGEBY* ZPOPMIN ZPOPMAX
# ZMPOP ZRANDMEMBER ZUNION ZINTER ZDIFF *STORE ZSCAN).
#
# Differential: every command goes to shoal-server and to redis-server
# 7.0.15 and the raw reply bytes must be identical (score formatting, error
# texts, RESP3 types). Encodings are compared with OBJECT ENCODING after
# each step that may convert. Only ZRANDMEMBER's random picks and ZSCAN's
# cursors are checked by their properties instead.

proc config_both {name value} {
    both config set $name $value
}

start_server {tags {zset}} {
start_oracle_redis {} {

    test {ZADD/ZSCORE: score formatting of doubles} {
        del_both z
        same {
            {zadd z 1.1 a 3 b inf c -inf d 1e308 e 0.000001 f 1e-300 g -0 h}
            {zadd z 123456789012345678 i 0.1 j 4503599627370495 k 4503599627370497 l -1e-320 m}
            {zadd z 2.5e-5 n 1e15 o -17 p 0x10 q}
            {zrange z 0 -1 withscores} {zscore z a} {zscore z c} {zscore z d} {zscore z h}
            {zscore z i} {zscore z k} {zscore z l} {zscore z m} {zscore z nonex} {zscore nokey a}
            {zincrby z 0.2 j} {zincrby z 1 b} {zmscore z a b nonex c} {zmscore nokey a}
            {zadd z 1e400 x} {zadd z nan x} {zadd z " 1" x} {zadd z "1 " x} {zadd z "" x}
            {zadd z abc x} {zincrby z abc a} {zincrby z inf c} {zincrby z -inf c}
            {zadd z incr -inf c} {zscore z c}
        }
        same_encoding z
        # skiplist keeps -0, listpack stores it as 0 (as Redis)
        config_both zset-max-listpack-entries 0
        del_both s
        same {{zadd s -0 h 0.1 a 1.5 b} {zscore s h} {zrange s 0 -1 withscores} {zincrby s -0.1 a}}
        same_encoding s
        config_both zset-max-listpack-entries 128
    }

    test {ZADD options: NX XX GT LT CH INCR, conflicts and their order} {
        del_both z s
        both set s str
        same {
            {zadd z nx xx 1 a} {zadd z gt lt 1 a} {zadd z nx gt 1 a} {zadd z nx lt 1 a}
            {zadd z incr 1 a 2 b} {zadd z incr 1} {zadd z 1 a 2} {zadd z} {zadd z nx}
            {zadd z nx xx incr 1 a 2 b} {zadd z gt lt 1} {zadd z abc a 1 b} {zadd s 1 a}
            {zadd s xx 1 a} {zadd s nx xx 1 a} {zadd s abc a}
            {zadd z xx 1 a} {exists z} {zadd z xx incr 1 a} {exists z}
            {zadd z 1 a 2 b 3 c} {zadd z ch 5 a 2 b 6 d} {zadd z 1 a 1 a 1 a}
            {zadd z xx ch incr 2 a} {zadd z nx incr 2 a} {zadd z nx 9 a 9 e} {zrange z 0 -1 withscores}
            {zadd z gt 1 a} {zadd z gt ch 100 a} {zadd z lt ch 100 a 0 b 7 f} {zadd z gt xx ch 1 a 200 a 5 g}
            {zadd z lt incr 1 a} {zadd z gt incr 1 a} {zadd z gt incr -1 a} {zadd z lt incr -5 a}
            {zadd z NX CH Incr 3 h} {zadd z Xx 1 zz} {zadd z ch ch ch 1 cc} {zrange z 0 -1 withscores}
            {zincrby z 1} {zincrby z 1 a b} {zincrby z nx a} {zincrby s 1 a} {zincrby new 2.5 m}
            {zincrby z -inf a} {zincrby z inf a} {zscore z a}
        }
        same [list [list zadd z "nx\x00junk" 1 nul] [list zadd z "\x00nx" 1 nul] {zrange z 0 -1}]
    }

    test {ZREM ZCARD ZRANK ZREVRANK and empty-key deletion} {
        del_both z s
        both set s str
        same {
            {zadd z 1 a 2 b 3 c 3 d} {zcard z} {zcard nokey} {zcard s} {zrank z a} {zrank z d}
            {zrevrank z a} {zrevrank z d} {zrank z nonex} {zrank nokey a} {zrank s a}
            {zrem z a nonex b} {zrem z nonex} {zrem nokey a} {zrem s a} {zrem z c d c} {exists z}
            {zrem z}
        }
    }

    test {ZCOUNT ZLEXCOUNT: ranges, exclusive bounds, errors} {
        del_both z l
        same {
            {zadd z 1 a 2 b 3 c 4 d 5 e -inf m inf p 1.5 f}
            {zcount z -inf +inf} {zcount z (1 3} {zcount z 1 (3} {zcount z (1 (1} {zcount z 3 1}
            {zcount z 1.5 1.5} {zcount z (-inf (inf} {zcount z -inf -inf} {zcount z x 3} {zcount z 1 x}
            {zcount z ( 5} {zcount z "" 5} {zcount z " 1" 5} {zcount z 0x1 5} {zcount z nan 5}
            {zcount z inf -inf} {zcount z +inf +inf} {zcount nokey 0 1} {zcount nokey x 1}
            {zadd l 0 a 0 b 0 c 0 d 0 e 0 abc 0 ""}
            {zlexcount l - +} {zlexcount l + -} {zlexcount l [a [c} {zlexcount l (a (c} {zlexcount l [b +}
            {zlexcount l - (b} {zlexcount l a c} {zlexcount l [a x} {zlexcount l ++ -} {zlexcount l "" +}
            {zlexcount l [ +} {zlexcount l ( (} {zlexcount nokey - +} {zlexcount nokey x +}
        }
    }

    test {ZRANGE family: rank, BYSCORE, BYLEX, REV, LIMIT, WITHSCORES} {
        del_both z l s
        both set s str
        same {
            {zadd z 1 a 2 b 3 c 4 d 5 e 5 f 5 g -inf h inf i}
            {zrange z 0 -1} {zrange z 0 -1 withscores} {zrange z 2 4} {zrange z -3 -1} {zrange z 5 2}
            {zrange z -100 100} {zrange z 100 200} {zrange z 0 -1 rev} {zrange z 1 2 rev withscores}
            {zrange z 0 0 rev} {zrange z -2 -1 rev}
            {zrange z 2 4 byscore} {zrange z (2 (5 byscore withscores} {zrange z -inf +inf byscore limit 2 3}
            {zrange z +inf -inf byscore rev limit 1 4 withscores} {zrange z 5 2 byscore rev}
            {zrange z 0 10 byscore limit 0 0} {zrange z 0 10 byscore limit -1 2} {zrange z 0 10 byscore limit 1 -1}
            {zrange z 0 10 byscore limit 100 1} {zrange z 0 10 byscore limit 5 1}
            {zrange z 0 -1 limit 0 1} {zrange z - + bylex withscores} {zrange z 0 1 byscore bylex}
            {zrange z 0 1 rev rev} {zrange z 0 1 limit 1} {zrange z 0 1 foo} {zrange z x y}
            {zrange z x y byscore} {zrange z x y bylex} {zrange z (1 3 byscore limit 1}
            {zrange z 0 -1 limit 0 1 withscores bylex} {zrange z 0 1 limit x 1 byscore}
            {zrange nokey 0 -1} {zrange nokey x y} {zrange s 0 -1} {zrange s x y}
            {zrangebyscore z 2 4} {zrangebyscore z -inf +inf withscores limit 1 3}
            {zrangebyscore z (1 5 limit 0 2 withscores} {zrangebyscore z 1 2 rev} {zrangebyscore z 1 2 bylex}
            {zrevrangebyscore z 5 1} {zrevrangebyscore z 1 5} {zrevrangebyscore z +inf -inf withscores limit 2 2}
            {zrevrangebyscore z (5 (1} {zrevrange z 0 2} {zrevrange z 0 -1 withscores} {zrevrange z 0 1 limit 0 1}
            {zrevrange z 0 1 byscore} {zrangebyscore z x 1} {zrevrangebyscore z 1 x}
            {zadd l 0 a 0 b 0 c 0 d 0 e 0 abc 0 ""}
            {zrangebylex l - +} {zrangebylex l [b (e} {zrangebylex l (a [c limit 1 2} {zrangebylex l - + limit 2 -1}
            {zrangebylex l - + withscores} {zrangebylex l a b} {zrevrangebylex l + -} {zrevrangebylex l (e [b limit 1 1}
            {zrevrangebylex l - +} {zrange l [e [b bylex rev} {zrange l + - bylex rev limit 0 3}
            {zrangebylex l "" +} {zrangebylex l [ +}
        }
    }

    test {ZRANGESTORE: result, empty result deletes, encoding of the result} {
        del_both z d1 d2
        both set d2 str
        same {
            {zadd z 1 a 2 b 3 c 4 d 5 e} {zrangestore d1 z 0 1} {zrange d1 0 -1 withscores}
            {zrangestore d1 z 10 20} {exists d1} {zrangestore d2 z 0 -1 rev} {type d2}
            {zrangestore d1 z (1 +inf byscore limit 1 2} {zrange d1 0 -1 withscores}
            {zrangestore d1 z [b [d bylex rev} {zrange d1 0 -1} {zrangestore d1 z 0 1 withscores}
            {zrangestore d1 nokey 0 -1} {exists d1} {zrangestore d1 d2 0 -1} {zrangestore z z 1 2}
            {zrange z 0 -1 withscores} {zrangestore d1 z 0 -1 limit 0 1}
        }
        both expire d2 1000
        same {{zrangestore d2 z 0 -1} {ttl d2}}
        foreach entries {4 0 128} {
            config_both zset-max-listpack-entries $entries
            del_both big
            both zadd big 1 a 2 b 3 c 4 d 5 e 6 f
            same_encoding big
            foreach r {{0 1} {0 -1} {0 3} {4 4}} {
                assert_same [concat {zrangestore dst big} $r]
                same_encoding dst
            }
            assert_same {zrangestore dst big 0 4 byscore}
            same_encoding dst
        }
        config_both zset-max-listpack-value 3
        del_both big
        both zadd big 1 a 2 bbbb 3 c
        same_encoding big
        same {{zrangestore dst big 0 0} {zrangestore dst2 big 0 1}}
        same_encoding dst dst2
        config_both zset-max-listpack-value 64
    }

    test {ZREMRANGEBYRANK/SCORE/LEX} {
        del_both z l s
        both set s str
        same {
            {zadd z 1 a 2 b 3 c 4 d 5 e} {zremrangebyrank z 1 2} {zrange z 0 -1} {zremrangebyrank z -1 -1}
            {zremrangebyrank z 5 10} {zremrangebyrank z 2 1} {zremrangebyrank z x 1} {zremrangebyrank z 0 1.5}
            {zremrangebyrank nokey 0 1} {zremrangebyrank s 0 1} {zremrangebyrank z -100 100} {exists z}
            {zadd z 1 a 2 b 3 c 4 d 5 e} {zremrangebyscore z (1 3} {zrange z 0 -1} {zremrangebyscore z x 1}
            {zremrangebyscore z 10 1} {zremrangebyscore s 0 1} {zremrangebyscore nokey 0 1}
            {zremrangebyscore z -inf +inf} {exists z}
            {zadd l 0 a 0 b 0 c 0 d 0 e} {zremrangebylex l [b (d} {zrange l 0 -1} {zremrangebylex l a b}
            {zremrangebylex s - +} {zremrangebylex nokey - +} {zremrangebylex l - +} {exists l}
        }
    }

    test {ZPOPMIN ZPOPMAX ZMPOP: counts, errors, deletion} {
        del_both z z2 s
        both set s str
        same {
            {zadd z 1 a 2 b 3 c 4 d 5 e} {zpopmin z} {zpopmax z} {zpopmin z 2} {zpopmin z 0} {zpopmin z -1}
            {zpopmin s 0} {zpopmin s -1} {zpopmin z abc} {zpopmin z 1 2} {zpopmin nokey 0} {zpopmin nokey}
            {zpopmax z 10} {exists z} {zadd z 1 a 2 b 3 c} {zadd z2 7 x 8 y}
            {zmpop abc z min} {zmpop 0 z min} {zmpop 1 z foo} {zmpop 2 z min} {zmpop 1 z min count 0}
            {zmpop 1 z min count abc} {zmpop 1 z min count 1 count 1} {zmpop 1 nokey min} {zmpop 1 s min}
            {zmpop 2 nokey s min} {zmpop 2 z s max} {zmpop 3 nokey z2 z max count 5} {zmpop 2 nokey z MIN COUNT 1}
            {zmpop 2 z z2 min count 10} {exists z} {zmpop 1 z2 min}
        }
    }

    test {ZUNION ZINTER ZDIFF and STORE: weights, aggregate, sets as inputs} {
        del_both u1 u2 u3 st s dst
        both set s str
        same {
            {zadd u1 1 a 2 b 3 c} {zadd u2 10 b 20 c 30 d} {zadd u3 inf a -inf b 0 c} {sadd st a b x}
            {zunion 2 u1 u2} {zunion 2 u1 u2 withscores} {zunion 2 u1 u2 weights 2 3 aggregate max withscores}
            {zunion 2 u1 u2 aggregate min withscores} {zunion 3 u1 u2 u3 withscores}
            {zunion 2 u3 u3 weights 1 -1 withscores} {zunion 2 u3 u1 weights 0 1 withscores}
            {zinter 2 u1 u2 withscores} {zinter 2 u1 u2 withscores aggregate min}
            {zinter 2 u1 u2 weights 1 0 withscores} {zinter 3 u1 u2 nokey withscores} {zinter 2 u3 u3 weights 1 -1 withscores}
            {zdiff 2 u1 u2 withscores} {zdiff 1 u1} {zdiff 2 u1 nokey withscores} {zdiff 2 nokey u1}
            {zunion 2 u1 st withscores} {zinter 2 u1 st withscores} {zdiff 2 st u1 withscores}
            {zunion 2 st st weights 2 3 withscores} {zinter 2 st u2 aggregate max withscores}
            {zunionstore d 0 z} {zunion 0 z} {zunion 2 z} {zunion 1 u1 weights} {zunion 1 u1 weights x}
            {zunion 1 u1 aggregate foo} {zunion 1 u1 aggregate} {zdiff 1 u1 weights 1} {zdiff 1 u1 aggregate sum}
            {zunionstore dst 1 u1 withscores} {zunion 1 s} {zunion 2 u1 s} {zunion abc u1} {zinter -1 u1}
            {zunion 1 s weights x} {zunion 2 u1 u2 weights 1} {zunion 2 u1 u2 weights 1 2 3}
            {zunion 1 u1 WITHSCORES withscores}
            {zunionstore dst 2 u1 u2} {zrange dst 0 -1 withscores} {zinterstore dst 2 u1 u2 weights 1 0}
            {zrange dst 0 -1 withscores} {zdiffstore dst 2 u1 u1} {exists dst} {zinterstore dst 2 u1 nokey}
            {zunionstore dst 2 st u1} {zrange dst 0 -1 withscores} {zdiffstore dst 2 u2 u1} {zrange dst 0 -1 withscores}
            {zunionstore u1 2 u1 u2} {zrange u1 0 -1 withscores} {zinterstore s 2 u1 u2} {type s}
        }
        foreach entries {2 0 128} {
            config_both zset-max-listpack-entries $entries
            del_both a b
            both zadd a 1 x 2 y 3 z
            both zadd b 1 y
            foreach cmd {{zunionstore d 2 a b} {zinterstore d 2 a b} {zdiffstore d 2 a b} {zunionstore d 1 b}} {
                assert_same $cmd
                same_encoding d
            }
        }
        config_both zset-max-listpack-entries 128
    }

    test {ZRANDMEMBER: errors, whole-set answers, properties of random picks} {
        del_both z s
        both set s str
        same {
            {zadd z 1 a 2 b 3 c} {zrandmember z 1 foo} {zrandmember z 9223372036854775807 withscores}
            {zrandmember z -9223372036854775808} {zrandmember z abc} {zrandmember s 0} {zrandmember s}
            {zrandmember z 0 "withscores\0x"} {zrandmember z 0 "\0withscores"}
            {zrandmember nokey 5} {zrandmember nokey} {zrandmember z 0} {zrandmember z 3}
            {zrandmember z 10 withscores} {zrandmember z 1 2 3}
        }
        # random picks: membership, uniqueness for positive counts, lengths
        r del big
        for {set i 0} {$i < 300} {incr i} { r zadd big $i m$i }
        foreach {count withscores} {1 0 5 0 50 1 200 0 299 1 -5 0 -400 1 -1 0} {
            set cmd [list zrandmember big $count]
            if {$withscores} { lappend cmd withscores }
            set got [r {*}$cmd]
            set n [expr {abs($count)}]
            if {$withscores} {
                assert_equal [llength $got] [expr {$n * 2}]
                set ms {}
                foreach {m s} $got { assert_equal m$s $m; lappend ms $m }
            } else {
                assert_equal [llength $got] $n
                set ms $got
            }
            foreach m $ms { assert_match {m*} $m; assert {[r zscore big $m] ne {}} }
            if {$count > 0} { assert_equal [llength [lsort -unique $ms]] $n }
        }
        set one [r zrandmember big]
        assert {[r zscore big $one] ne {}}
    }

    test {conversions: listpack to skiplist on count and on member length} {
        del_both z w
        config_both zset-max-listpack-entries 4
        config_both zset-max-listpack-value 8
        foreach i {1 2 3 4} {
            assert_same [list zadd z $i m$i]
            same_encoding z
        }
        same {{zadd z 5 m5} {zrange z 0 -1 withscores}}
        same_encoding z
        same {{zrem z m1 m2 m3 m4} {zrange z 0 -1 withscores}}
        same_encoding z
        same {{zadd w 1 short} {zadd w 2 longer-than-8}}
        same_encoding w
        del_both w
        same {{zadd w 1 longer-than-8}}
        same_encoding w
        same {{zincrby w2 1 longer-than-8} {zadd w3 xx 1 longer-than-8} {exists w3}}
        same_encoding w2
        config_both zset-max-ziplist-entries 0
        same {{config get zset-max-listpack-entries} {config get zset-max-ziplist-entries}}
        del_both z
        same {{zadd z 1 a}}
        same_encoding z
        config_both zset-max-ziplist-entries 128
        config_both zset-max-ziplist-value 64
        same {{config get zset-max-listpack-value}}
    }

    test {skiplist encoding: every read command on a large set} {
        del_both z l
        for {set i 0} {$i < 300} {incr i} {
            both zadd z [expr {($i * 7) % 101}] m$i
            both zadd l 0 [format %04d $i]
        }
        same_encoding z l
        same {
            {zcard z} {zrange z 0 -1 withscores} {zrange z 100 120 rev withscores} {zrank z m50} {zrevrank z m50}
            {zscore z m77} {zcount z (10 50} {zrangebyscore z 20 30 withscores limit 3 5}
            {zrevrangebyscore z 90 (20 limit 10 10} {zlexcount l [0100 (0200} {zrangebylex l (0150 + limit 5 10}
            {zrevrangebylex l [0200 - limit 0 5} {zmscore z m1 m2 nonex} {zrangestore d z 0 9} {zrange d 0 -1 withscores}
            {zunion 2 z l weights 1 2 withscores} {zinter 2 z z withscores} {zpopmin z 3} {zpopmax z 3}
            {zremrangebyscore z 40 60} {zremrangebyrank z 10 20} {zremrangebylex l [0010 (0250}
            {zrange z 0 -1 withscores} {zrange l 0 -1} {zrandmember z 1000 withscores}
        }
        same_encoding z l d
    }

    test {ZSCAN: errors, small sets in one call, full iteration of large sets} {
        del_both z s
        both set s str
        same {
            {zadd z 1 a 2.5 b inf c} {zscan z 0} {zscan z 0 match a*} {zscan z 0 count 1}
            {zscan z abc} {zscan z -1} {zscan z 0 count 0} {zscan z 0 count x} {zscan z 0 foo}
            {zscan z 0 type zset} {zscan z 0 match} {zscan s 0} {zscan nokey 0} {zscan nokey 0 foo}
        }
        r del big
        set want {}
        for {set i 0} {$i < 2000} {incr i} {
            r zadd big [expr {$i * 0.5}] member:$i
            dict set want member:$i [expr {$i * 0.5}]
        }
        assert_equal skiplist [r object encoding big]
        foreach opts {{} {count 100} {match member:1*}} {
            set seen {}
            set cursor 0
            set rounds 0
            while 1 {
                set res [r zscan big $cursor {*}$opts]
                set cursor [lindex $res 0]
                foreach {m s} [lindex $res 1] {
                    assert_equal [r zscore big $m] $s
                    dict set seen $m $s
                }
                if {$cursor == 0} break
                assert {[incr rounds] < 10000}
            }
            if {$opts eq {match member:1*}} {
                assert_equal [dict size $seen] 1111
            } else {
                assert_equal [dict size $seen] 2000
            }
        }
    }

    test {RESP3: doubles in ZSCORE ZINCRBY ZMSCORE, pairs for WITHSCORES} {
        del_both z
        both zadd z 1 a 2.5 b inf c
        set cmds {
            {hello 3} {zscore z a} {zscore z b} {zscore z c} {zscore z nokey} {zincrby z 1.5 a}
            {zmscore z a nonex b} {zrange z 0 -1 withscores} {zrange z 0 -1} {zrangebyscore z 0 10 withscores}
            {zpopmin z} {zadd z 1 a} {zpopmin z 1} {zadd z 1 a 3 d} {zpopmax z 5} {zadd z 1 a 3 d}
            {zmpop 1 z min} {zmpop 1 nokey min} {zadd z 5 q} {zunion 1 z withscores} {zinter 1 z withscores}
            {zdiff 1 z withscores} {zadd z incr 1 a} {zadd z xx incr 1 nonex} {zrandmember z 5 withscores}
            {zrandmember nokey} {zscan z 0} {zrangestore d z 0 -1} {zrandmember z -3 withscores}
        }
        set n [llength $cmds]
        set bytes [join [lmap c $cmds {resp_encode $c}] {}]
        # the last reply is random: compare its shape only
        set mask {^%7\r\n.*?\$7\r\nmodules\r\n\*0\r\n|\*3\r\n(\*2\r\n\$1\r\n.\r\n,[^\r]*\r\n){3}$}
        assert_same_raw $bytes $n $mask
    }

    test {wrong type, arity, MULTI-free pipelines} {
        del_both s
        both set s str
        same {
            {zscore s a} {zmscore s a} {zcard s} {zcount s 0 1} {zlexcount s - +} {zincrby s 1 a}
            {zadd} {zadd z} {zadd z 1} {zscore z} {zrange z 0} {zrangestore d z 0} {zcard}
            {zpopmin} {zmpop 1} {zrandmember} {zunion 1} {zscan z} {zrem z} {zcount z 0}
        }
    }

    # A few thousand random sorted-set commands over a small keyspace; the
    # replies must match byte for byte. The seed is in the failure message.
    test {randomized differential: sorted-set commands} {
        set seed [expr {[clock clicks] & 0x7fffffff}]
        expr {srand($seed)}
        config_both zset-max-listpack-entries 8
        config_both zset-max-listpack-value 6
        set keys {zk0 zk1 zk2 zk3}
        eval del_both $keys
        set members {a b c d e f g h i j k l m n o p long-member-x 1 2 10 -3 ""}
        set scores {0 1 -1 2 3 5 10 -10 1.5 -2.5 inf -inf 100 7 3.25}
        proc rv {l} { lindex $l [randomInt [llength $l]] }
        proc rsc {} {
            set b [rv {0 1 2 3 5 -1 inf -inf 10 1.5}]
            if {[randomInt 3] == 0} { return "($b" }
            if {$b eq "inf"} { return +inf }
            return $b
        }
        proc rlex {} {
            set b [rv {a c f j p long ""}]
            switch [randomInt 5] { 0 { return - } 1 { return + } 2 { return "($b" } default { return "\[$b" } }
        }
        for {set i 0} {$i < 3000} {incr i} {
            set k [rv $keys]
            set k2 [rv $keys]
            set m [rv $members]
            set s [rv $scores]
            set lo [expr {[randomInt 12] - 6}]
            set hi [expr {[randomInt 12] - 6}]
            set opts [rv {{} nx xx gt lt ch {xx ch} {gt ch} {lt ch} {nx ch} incr {xx incr} {gt incr}}]
            set lim [rv {{} {} {limit 0 2} {limit 1 -1} {limit 2 3}}]
            set ws [rv {{} withscores}]
            set cmd [rv [list \
                [concat zadd $k $opts $s $m] [concat zadd $k $opts $s $m [rv $scores] [rv $members]] \
                [list zadd $k $s $m [rv $scores] [rv $members] [rv $scores] [rv $members]] \
                [list zincrby $k $s $m] [list zrem $k $m [rv $members]] [list zscore $k $m] \
                [list zmscore $k $m [rv $members]] [list zcard $k] [list zcount $k [rsc] [rsc]] \
                [list zrank $k $m] [list zrevrank $k $m] \
                [concat zrange $k $lo $hi [rv {{} rev}] $ws] \
                [concat zrange $k [rsc] [rsc] byscore [rv {{} rev}] $lim $ws] \
                [concat zrangebyscore $k [rsc] [rsc] $ws $lim] [concat zrevrangebyscore $k [rsc] [rsc] $ws $lim] \
                [concat zrangestore $k2 $k [rsc] [rsc] byscore $lim] [list zrangestore $k2 $k $lo $hi] \
                [list zremrangebyrank $k $lo $hi] [list zremrangebyscore $k [rsc] [rsc]] \
                [concat zpopmin $k [rv {{} 0 1 2 5}]] [concat zpopmax $k [rv {{} 1 3}]] \
                [concat zmpop 2 $k $k2 [rv {min max}] [rv {{} {count 2}}]] \
                [concat zunion 2 $k $k2 [rv {{} {weights 2 -1} {aggregate min} {aggregate max}}] $ws] \
                [concat zinter 2 $k $k2 [rv {{} {weights 2 0.5} {aggregate max}}] $ws] \
                [concat zdiff 2 $k $k2 $ws] [list zunionstore $k2 2 $k $k2] [list zinterstore $k 2 $k $k2] \
                [list zdiffstore $k2 2 $k $k2] [list object encoding $k] [list zrandmember $k 100 withscores] \
            ]]
            if {[catch {assert_same $cmd} err]} {
                fail "seed $seed, command #$i [resp_escape $cmd]: $err"
            }
        }
        foreach k $keys {
            assert_same [list zrange $k 0 -1 withscores]
            assert_same [list object encoding $k]
        }
        # lex commands need equal scores: their own keyspace
        set lkeys {lk0 lk1}
        eval del_both $lkeys
        for {set i 0} {$i < 1000} {incr i} {
            set k [rv $lkeys]
            set m [rv {a b c d e f g h i j k l m n o p long-member ""}]
            set cmd [rv [list [list zadd $k 0 $m] [list zadd $k 0 $m 0 [rv $members]] [list zrem $k $m] \
                [concat zrangebylex $k [rlex] [rlex] $lim] [concat zrevrangebylex $k [rlex] [rlex] $lim] \
                [list zlexcount $k [rlex] [rlex]] [list zremrangebylex $k [rlex] [rlex]] \
                [concat zrange $k [rlex] [rlex] bylex [rv {{} rev}] $lim] \
                [concat zrangestore [rv $lkeys] $k [rlex] [rlex] bylex $lim] [list object encoding $k]]]
            if {[catch {assert_same $cmd} err]} {
                fail "seed $seed, lex command #$i [resp_escape $cmd]: $err"
            }
        }
        config_both zset-max-listpack-entries 128
        config_both zset-max-listpack-value 64
    }
}
}

start_server {tags {zset}} {
    test {TYPE OBJECT COPY RENAME MEMORY USAGE DEBUG on sorted sets} {
        r del z z2 z3
        r zadd z 1 a 2 b
        assert_equal zset [r type z]
        assert_equal listpack [r object encoding z]
        r copy z z2
        r zadd z2 3 c
        assert_equal {a b} [r zrange z 0 -1]
        assert_equal {a b c} [r zrange z2 0 -1]
        r config set zset-max-listpack-entries 1
        r zadd z 3 c
        assert_equal skiplist [r object encoding z]
        r copy z z3
        r zadd z3 4 d
        assert_equal {a 1 b 2 c 3} [r zrange z 0 -1 withscores]
        assert_equal {a b c d} [r zrange z3 0 -1]
        assert_equal skiplist [r object encoding z3]
        r rename z3 z4
        assert_equal 4 [r zcard z4]
        assert {[r memory usage z4] > [r memory usage z2]}
        assert_equal {z} [lindex [r scan 0 type zset match z] 1]
        r config set zset-max-listpack-entries 128
    }
}

# BZPOPMIN BZPOPMAX BZMPOP where they need not block: keys with data,
# argument errors in Redis's order, short timeouts (blocking behaviour is
# tests/integration/zset-blocking.tcl, on shoal alone).
start_server {tags {zset}} {
start_oracle_redis {} {

    test {BZPOPMIN/BZPOPMAX on keys with data, errors, short timeouts} {
        del_both z1 z2 str
        both zadd z1 1 a 2 b 3 c
        both zadd z2 -1 x 5.5 y
        both set str v
        same {
            {bzpopmin z1 0} {bzpopmax z1 0} {bzpopmin nokey z2 0} {bzpopmax nokey z2 0.5}
            {exists z2} {bzpopmin str 0} {bzpopmin nokey str 0} {bzpopmin z1 str 0} {exists z1}
            {bzpopmin z1 -1} {bzpopmin z1 abc} {bzpopmin z1 1e30} {bzpopmax str -1} {bzpopmin z1}
            {bzpopmax} {bzpopmin nokey 0.01} {bzpopmax nokey nokey2 0.01} {bzpopmin nokey 0.001}
        }
    }

    test {BZMPOP on keys with data, every argument error, short timeouts} {
        del_both z1 z2 str
        both zadd z1 1 a 2 b 3 c 4 d
        both zadd z2 -1 x 5.5 y 7 w
        both set str v
        same {
            {bzmpop 0 2 nokey z1 min} {bzmpop 0 1 z1 max count 2} {bzmpop 0 2 z1 z2 MAX COUNT 100}
            {exists z1} {bzmpop 0 1 z2 min count 1} {bzmpop 0 1 str min} {bzmpop 0 2 nokey str max}
            {bzmpop 0 0 z2 min} {bzmpop 0 -1 z2 min} {bzmpop 0 x z2 min} {bzmpop 0 2 z2 min}
            {bzmpop 0 2 z2 MIN} {bzmpop 0 1 z2 foo} {bzmpop 0 1 z2 min count 0} {bzmpop 0 1 z2 min count -1}
            {bzmpop 0 1 z2 min count x} {bzmpop 0 1 z2 min count 1 count 1} {bzmpop 0 1 z2 min count}
            {bzmpop 0 1 z2 min limit 1} {bzmpop -1 1 z2 min} {bzmpop abc 1 z2 min} {bzmpop abc 1 z2 foo}
            {bzmpop abc 0 z2 min} {bzmpop 0 1 z2} {bzmpop 0.01 2 nokey nokey2 min}
            {bzmpop 0.01 1 nokey max count 3} {zmpop 2 z2 nokey} {zmpop 1 z2} {zmpop 3 a b c}
            {zrange z2 0 -1 withscores}
        }
    }

    test {RESP3: BZPOPMIN flat with a double, BZMPOP nested pairs, timeout _} {
        del_both z
        both zadd z 1 a 2.5 b inf c 4 d
        set cmds {
            {hello 3} {bzpopmin z 0} {bzpopmax z 0} {bzmpop 0 1 z min count 5}
            {bzpopmin z 0.01} {bzmpop 0.01 1 z max} {exists z}
        }
        set n [llength $cmds]
        set bytes [join [lmap c $cmds {resp_encode $c}] {}]
        assert_same_raw $bytes $n {^%7\r\n.*?\$7\r\nmodules\r\n\*0\r\n}
    }

    test {BZPOPMAX BZMPOP BZPOPMIN on a skiplist-encoded set, down to deletion} {
        del_both z
        both config set zset-max-listpack-entries 1
        both zadd z 1 a 2 b 3 c
        same {{object encoding z} {bzpopmax z 0} {bzmpop 0 1 z min count 1} {object encoding z}
              {bzpopmin z 0} {exists z}}
        both config set zset-max-listpack-entries 128
    }
    test {ZUNION/ZUNIONSTORE sums signed zeros as redis does (0 + -0 is 0)} {
        del_both za zb zc out
        both zadd za 0 m 0 onlya 1 x
        both zadd zb 0 m 0 onlyb
        both zadd zc 0 m
        same {
            {zunion 2 zb za weights -1 2 withscores} {zunion 2 za zb weights 2 -1 withscores}
            {zunion 2 zb za weights -1 -1 withscores} {zunion 3 zc zb za weights -1 1 -1 withscores}
            {zunionstore out 2 zb za weights -1 2} {zrange out 0 -1 withscores}
            {zunion 2 zb za weights -1 2 aggregate max withscores}
            {zunion 2 zb za weights -1 2 aggregate min withscores}
            {zinter 2 zb za weights -1 2 withscores}
        }
    }
}
}
