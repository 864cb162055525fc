# tests/integration/proxy-randdiff.tcl: randomized differential tests of
# shoal-proxy. The proxy promises that a pool of nodes behind it behaves
# like one node, so a long random sequence of commands sent through it must
# get the same bytes back as the same sequence sent to ONE real node:
#
#   1. RESP, proxy over 3 redis-server nodes vs one redis-server, then 10
#      clients interleaved, each on its own copy of the keyspace; here
#      also the commands shoal-server lacks, which the proxy forwards by
#      their keys (compat/cmd.def FWD: HyperLogLog, geo, BITPOS BITFIELD
#      BITOP, LCS, ZINTERCARD, streams);
#   2. the same over 2 shoal-server nodes vs one redis-server (a
#      difference is a bug in the node or in the proxy);
#   3. Memcached, proxy over 3 memcached vs one memcached (CAS uniques
#      normalised), then 20 clients interleaved so joined gets (proxy/
#      coalesce) are exercised, each client's stream compared with its own
#      stream against the reference.
#
# The generator works over a small keyspace so keys collide and types
# clash, pipelines random batches of 1-50 commands and splits some batches
# at random byte positions. A batch goes to the proxy first; commands the
# proxy must refuse (multi-key commands whose keys live on several nodes:
# the route of every key is asked from the proxy up front) must get
# -CROSSSLOT and are left out of the reference's batch. The first
# difference fails the test with the seed, the command and both replies.
# What a single node itself does differently from run to run (random
# members, set order, ticking TTLs, memcached's padded incr results, ...)
# is normalised or not generated, each with a comment saying why (stream
# ids the node makes from its clock and XPENDING idle times among them).
#
# Replay: SHOAL_RANDDIFF_SEED=<seed> tests/runtest --single proxy-randdiff
# (each part derives its own seed from it, so --only one part replays it).
# SHOAL_RANDDIFF_N=<commands> overrides the sequence length.

source [file join [file dirname $::test_file_path] proxy-common.inc]

# ------------------------------------------------------------- settings ---

# Sanitizer builds (configure --enable-sanitizers) run slower: fewer
# commands there. The build's Makefile says how it was configured.
proc rd_sanitized {} {
    set mk [file join [file dirname [file dirname $::server_binary]] Makefile]
    if {[catch {read_file_bytes $mk} text]} { return 0 }
    return [regexp -- {-fsanitize=address} $text]
}

set ::rd_seed [expr {[info exists ::env(SHOAL_RANDDIFF_SEED)] ?
    $::env(SHOAL_RANDDIFF_SEED) : [clock microseconds] % 1000000007}]
if {![string is integer -strict $::rd_seed]} { error "SHOAL_RANDDIFF_SEED is not an integer" }
set ::rd_n [expr {[info exists ::env(SHOAL_RANDDIFF_N)] ? $::env(SHOAL_RANDDIFF_N) :
    [rd_sanitized] ? 3000 : 5000}]
if {$::verbose} { puts "proxy-randdiff: seed $::rd_seed, $::rd_n commands per part" }

proc rd_srand {part} {
    expr {srand(($::rd_seed * 7 + $part) % 2147483647)}
}

# Runs body; an error that is not a failed assertion fails with the seed.
proc rd_seeded {body} {
    if {[catch {uplevel 1 $body} e opts]} {
        if {[dict get $opts -errorcode] eq "ASSERTION"} { return -options $opts $e }
        fail "[rd_replay]: $e\n[dict get $opts -errorinfo]"
    }
}

proc rd_replay {} {
    return "seed $::rd_seed (replay: SHOAL_RANDDIFF_SEED=$::rd_seed tests/runtest\
        --builddir <dir> --single proxy-randdiff)"
}

# ---------------------------------------------------------------- random ---

proc rd_int {lo hi} { expr {$lo + int(rand() * ($hi - $lo + 1))} }
proc rd_chance {p} { expr {rand() < $p} }
proc rd_pick {list} { lindex $list [expr {int(rand() * [llength $list])}] }

# Up to n bytes for a diagnostic, escaped.
proc rd_show {bytes {n 400}} {
    if {[string length $bytes] > $n} {
        return "[resp_escape [string range $bytes 0 [expr {$n - 1}]]]...\
            ([string length $bytes] bytes)"
    }
    return [resp_escape $bytes]
}

# Send bytes on a socket; split, they leave in 2-4 pieces a few ms apart,
# so the receiver reads a command in parts.
proc rd_send {fd bytes split} {
    set len [string length $bytes]
    if {!$split || $len < 2} {
        puts -nonewline $fd $bytes
        flush $fd
        return
    }
    set cuts {}
    for {set i [rd_int 1 3]} {$i > 0} {incr i -1} { lappend cuts [rd_int 1 [expr {$len - 1}]] }
    set at 0
    foreach cut [lsort -integer -unique $cuts] {
        puts -nonewline $fd [string range $bytes $at [expr {$cut - 1}]]
        flush $fd
        after 2
        set at $cut
    }
    puts -nonewline $fd [string range $bytes $at end]
    flush $fd
}

# ================================================================= RESP ===

# Keys by family of commands (s strings, h hashes, l lists, e sets, z
# sorted sets; over redis-server nodes also p HyperLogLogs, g geo sets, t
# streams): two plain keys each, and tagged ones in groups {a} and {b}.
# A family mostly uses its own keys (so values grow and most commands find
# their type), any key otherwise (so types clash). Some keys are kept out
# of this shared keyspace (::rd_side), each set for a reason given where
# it is used: rd_lex, rd_lcs, rd_xauto.
proc rd_keyspace {fwd} {
    set ::rd_fwd $fwd
    set fams [expr {$fwd ? {s h l e z p g t} : {s h l e z}}]
    set ::rd_groups {}
    foreach g {a b} {
        set keys {}
        foreach f $fams {
            lappend keys "{$g}${f}1"
            if {$g eq "a"} { lappend keys "{$g}${f}2" }
        }
        lappend ::rd_groups $keys
    }
    set ::rd_keys {}
    array unset ::rd_fam
    foreach f $fams {
        set ::rd_fam($f) [list ${f}0 ${f}1 "{a}${f}1" "{a}${f}2" "{b}${f}1"]
        lappend ::rd_keys ${f}0 ${f}1
    }
    set ::rd_keys [concat $::rd_keys {*}$::rd_groups]
    set ::rd_side [expr {$fwd ? [concat $::rd_lex $::rd_lcs $::rd_xauto] : $::rd_lex}]
    # the generators' own state (rd_gen_fwd's run, rd_xid_new) starts
    # afresh, so a part replays alone
    array unset ::rd_cur
    set ::rd_run_left 0
    set ::rd_run_queue {}
    set ::rd_xms 0
    set ::rd_xids {}
}

proc rd_key {{fam {}}} {
    if {$fam ne {} && [rd_chance 0.85]} { return [rd_pick $::rd_fam($fam)] }
    return [rd_pick $::rd_keys]
}

# n keys (repeats allowed) for a multi-key command of family fam: mostly
# that family's keys of one hash-tag group (always accepted by the proxy),
# or any keys of a group, or of the whole keyspace (refused when spread).
proc rd_keys_together {n {fam {}}} {
    set p [expr {rand()}]
    set g [rd_pick {a a b}]
    if {$fam ne {} && $p < 0.6} {
        set from [lsearch -all -inline $::rd_fam($fam) "{$g}*"]
    } elseif {$p < 0.8} {
        set from [lindex $::rd_groups [expr {$g eq "a" ? 0 : 1}]]
    } else {
        set from $::rd_keys
    }
    set out {}
    for {set i 0} {$i < $n} {incr i} { lappend out [rd_pick $from] }
    return $out
}

# Now and then past the proxy's stack arrays (64 keys).
proc rd_nkeys {max} {
    expr {[rd_chance 0.03] ? [rd_int 60 150] : [rd_int 1 $max]}
}

proc rd_keys_any {n} {
    set out {}
    for {set i 0} {$i < $n} {incr i} { lappend out [rd_key] }
    return $out
}

proc rd_val {} {
    switch -- [rd_int 0 9] {
        0 { return [rd_int -20 100] }
        1 { return [rd_pick {1.5 -0.25 3e2 0.1 10.0 abc 9223372036854775807 -9223372036854775808 {} " 1"}] }
        2 - 3 { return [randstring 0 100 binary] }
        4 {
            # now and then past the proxy's and the nodes' read buffers
            if {[rd_chance 0.03]} { return [randstring 20000 70000 compr] }
            return [randstring 200 1200 compr]
        }
        default { return [randstring 1 12 alpha] }
    }
}

proc rd_num {} { rd_pick [list [rd_int -5 20] [rd_int -5 20] 0 1 -1 1.5 x 9223372036854775807] }
proc rd_field {} { rd_pick {f0 f1 f2 f3 f4 f5} }
proc rd_member {} { rd_pick [list m0 m1 m2 m3 m4 m5 [rd_int 0 9] [rd_int 0 9]] }
proc rd_score {} { rd_pick [list [rd_int -3 10] [rd_int -3 10] 1.5 -0.5 0.1 +inf -inf 2.25] }
proc rd_idx {} { rd_int -6 6 }
proc rd_ttl {} { rd_pick {100 1000 5000 0 -1} }

# One generated command: {argv norm together}. norm says how the replies
# are compared: {} bytes, sort (array elements as a set: set members come
# in each hash table's own order), pairs (HGETALL), ttl (-2/-1/>=0).
# together: keys the proxy needs on one node (CROSSSLOT otherwise).
proc rd_cmd {argv {norm {}} {together {}}} { list $argv $norm $together }

proc rd_gen_string {} {
    set k [rd_key s]
    switch -- [rd_int 0 22] {
        0 - 1 {
            set a [list set $k [rd_val]]
            switch -- [rd_int 0 5] {
                0 { lappend a ex [rd_pick {100 1000 0 -5}] }
                1 { lappend a nx }
                2 { lappend a xx }
                3 { lappend a get }
                4 { lappend a [rd_pick {nx xx}] get }
            }
            return [rd_cmd $a]
        }
        2 - 3 { return [rd_cmd [list get $k]] }
        4 { return [rd_cmd [list getset $k [rd_val]]] }
        5 { return [rd_cmd [list append $k [rd_val]]] }
        6 { return [rd_cmd [list [rd_pick {incr decr}] $k]] }
        7 { return [rd_cmd [list [rd_pick {incrby decrby}] $k [rd_num]]] }
        8 { return [rd_cmd [list incrbyfloat $k [rd_pick {1.5 -0.25 3 1e3 x 0.1}]]] }
        9 { return [rd_cmd [list setrange $k [rd_int 0 40] [rd_val]]] }
        10 { return [rd_cmd [list getrange $k [rd_idx] [rd_idx]]] }
        11 { return [rd_cmd [list strlen $k]] }
        12 - 13 {
            set a [list mset]
            for {set i [rd_nkeys 8]} {$i > 0} {incr i -1} { lappend a [rd_key s] [rd_val] }
            return [rd_cmd $a]
        }
        14 - 15 { return [rd_cmd [list mget {*}[rd_keys_any [rd_nkeys 12]]]] }
        16 {
            set ks [rd_keys_together [rd_int 1 4] s]
            set a [list msetnx]
            foreach x $ks { lappend a $x [rd_val] }
            return [rd_cmd $a {} $ks]
        }
        17 { return [rd_cmd [list setnx $k [rd_val]]] }
        18 { return [rd_cmd [list setex $k [rd_pick {100 0 -1 x}] [rd_val]]] }
        19 { return [rd_cmd [list getdel $k]] }
        20 { return [rd_cmd [list getex $k {*}[rd_pick {{} {persist} {ex 500}}]]] }
        21 { return [rd_cmd [list setbit $k [rd_int 0 64] [rd_pick {0 1 2}]]] }
        default { return [rd_cmd [list [rd_pick {getbit bitcount}] $k {*}[expr {[rd_chance 0.5] ? [rd_int 0 64] : {}}]]] }
    }
}

proc rd_gen_keyspace {} {
    set k [rd_key]
    switch -- [rd_int 0 15] {
        0 - 1 { return [rd_cmd [list [rd_pick {del unlink}] {*}[rd_keys_any [rd_nkeys 10]]]] }
        2 - 3 { return [rd_cmd [list [rd_pick {exists touch}] {*}[rd_keys_any [rd_nkeys 12]]]] }
        4 { return [rd_cmd [list type $k]] }
        5 {
            # GT and LT compare with the expiry set before, to the
            # millisecond: the same TTL set twice is greater or not as the
            # clock ticked in between, so they get TTLs that never repeat
            set opt [rd_pick {{} {} nx xx gt lt}]
            set ttl [expr {$opt in {gt lt} ? [rd_int 10000 999999] : [rd_ttl]}]
            return [rd_cmd [list expire $k $ttl {*}$opt]]
        }
        6 - 7 { return [rd_cmd [list [rd_pick {ttl pttl}] $k] ttl] }
        8 { return [rd_cmd [list persist $k]] }
        9 - 10 {
            lassign [rd_keys_together 2] a b
            return [rd_cmd [list [rd_pick {rename renamenx}] $a $b] {} [list $a $b]]
        }
        11 {
            lassign [rd_keys_together 2] a b
            set c [list copy $a $b]
            if {[rd_chance 0.5]} { lappend c replace }
            return [rd_cmd $c {} [list $a $b]]
        }
        12 { return [rd_cmd [list dbsize]] }
        13 { return [rd_cmd [list keys [rd_pick {* s* {{a}*} *1 nomatch*}]] sort] }
        14 { return [rd_cmd [list ping {*}[expr {[rd_chance 0.5] ? [list [rd_val]] : {}}]]] }
        default { return [rd_cmd [list echo [rd_val]]] }
    }
}

proc rd_gen_hash {} {
    set k [rd_key h]
    switch -- [rd_int 0 13] {
        0 - 1 {
            set a [list [rd_pick {hset hmset}] $k]
            for {set i [rd_int 1 4]} {$i > 0} {incr i -1} { lappend a [rd_field] [rd_val] }
            return [rd_cmd $a]
        }
        2 { return [rd_cmd [list hsetnx $k [rd_field] [rd_val]]] }
        3 - 4 { return [rd_cmd [list hget $k [rd_field]]] }
        5 { return [rd_cmd [list hmget $k [rd_field] [rd_field] [rd_field]]] }
        6 { return [rd_cmd [list hgetall $k] pairs] }
        7 { return [rd_cmd [list hdel $k [rd_field] [rd_field]]] }
        8 { return [rd_cmd [list [rd_pick {hexists hstrlen}] $k [rd_field]]] }
        9 { return [rd_cmd [list hlen $k]] }
        10 { return [rd_cmd [list [rd_pick {hkeys hvals}] $k] sort] }
        11 { return [rd_cmd [list hincrby $k [rd_field] [rd_num]]] }
        default { return [rd_cmd [list hincrbyfloat $k [rd_field] [rd_pick {1.5 -2 0.1 x}]]] }
    }
}

proc rd_gen_list {} {
    set k [rd_key l]
    switch -- [rd_int 0 16] {
        0 - 1 - 2 {
            set a [list [rd_pick {lpush rpush lpush rpush lpushx rpushx}] $k]
            for {set i [rd_int 1 4]} {$i > 0} {incr i -1} { lappend a [rd_member] }
            return [rd_cmd $a]
        }
        3 - 4 { return [rd_cmd [list [rd_pick {lpop rpop}] $k {*}[expr {[rd_chance 0.4] ? [rd_int 0 3] : {}}]]] }
        5 { return [rd_cmd [list llen $k]] }
        6 - 7 { return [rd_cmd [list lrange $k [rd_idx] [rd_idx]]] }
        8 { return [rd_cmd [list lindex $k [rd_idx]]] }
        9 { return [rd_cmd [list lset $k [rd_idx] [rd_member]]] }
        10 { return [rd_cmd [list lrem $k [rd_int -2 2] [rd_member]]] }
        11 { return [rd_cmd [list ltrim $k [rd_idx] [rd_idx]]] }
        12 { return [rd_cmd [list linsert $k [rd_pick {before after}] [rd_member] [rd_member]]] }
        13 { return [rd_cmd [list lpos $k [rd_member] {*}[rd_pick {{} {rank -1} {count 0} {rank 2 count 2}}]]] }
        14 {
            lassign [rd_keys_together 2 l] a b
            if {[rd_chance 0.5]} {
                return [rd_cmd [list rpoplpush $a $b] {} [list $a $b]]
            }
            return [rd_cmd [list lmove $a $b [rd_pick {left right}] [rd_pick {left right}]] {} [list $a $b]]
        }
        15 {
            set ks [rd_keys_together [rd_int 1 3] l]
            return [rd_cmd [list lmpop [llength $ks] {*}$ks [rd_pick {left right}] {*}[rd_pick {{} {count 2}}]] {} $ks]
        }
        default { return [rd_gen_blocking] }
    }
}

# Blocking commands with a 10 ms timeout (never 0: an empty list would
# block for ever): the proxy runs them on a dedicated connection and holds
# the client's later requests until they are answered.
proc rd_gen_blocking {} {
    set t 0.01
    switch -- [rd_int 0 3] {
        0 {
            set ks [rd_keys_together [rd_int 1 3] l]
            return [rd_cmd [list [rd_pick {blpop brpop}] {*}$ks $t] {} $ks]
        }
        1 {
            lassign [rd_keys_together 2 l] a b
            return [rd_cmd [list blmove $a $b [rd_pick {left right}] [rd_pick {left right}] $t] {} [list $a $b]]
        }
        2 {
            lassign [rd_keys_together 2 l] a b
            return [rd_cmd [list brpoplpush $a $b $t] {} [list $a $b]]
        }
        default {
            set ks [rd_keys_together [rd_int 1 2] z]
            return [rd_cmd [list [rd_pick {bzpopmin bzpopmax}] {*}$ks $t] {} $ks]
        }
    }
}

proc rd_gen_set {} {
    set k [rd_key e]
    switch -- [rd_int 0 13] {
        0 - 1 - 2 {
            set a [list sadd $k]
            for {set i [rd_int 1 5]} {$i > 0} {incr i -1} { lappend a [rd_member] }
            return [rd_cmd $a]
        }
        3 { return [rd_cmd [list srem $k [rd_member] [rd_member]]] }
        4 { return [rd_cmd [list sismember $k [rd_member]]] }
        5 { return [rd_cmd [list smismember $k [rd_member] [rd_member]]] }
        6 { return [rd_cmd [list scard $k]] }
        7 - 8 { return [rd_cmd [list smembers $k] sort] }
        9 {
            set ks [rd_keys_together [rd_int 1 3] e]
            return [rd_cmd [list [rd_pick {sinter sunion sdiff}] {*}$ks] sort $ks]
        }
        10 {
            set ks [rd_keys_together [rd_int 2 4] e]
            return [rd_cmd [list [rd_pick {sinterstore sunionstore sdiffstore}] {*}$ks] {} $ks]
        }
        11 {
            lassign [rd_keys_together 2 e] a b
            return [rd_cmd [list smove $a $b [rd_member]] {} [list $a $b]]
        }
        12 {
            set ks [rd_keys_together [rd_int 1 3] e]
            return [rd_cmd [list sintercard [llength $ks] {*}$ks {*}[rd_pick {{} {limit 1}}]] {} $ks]
        }
        default {
            # SPOP and SRANDMEMBER pick at random: only a count that takes
            # the whole set is comparable (as a set)
            return [rd_cmd [list spop $k 100] sort]
        }
    }
}

proc rd_gen_zset {} {
    set k [rd_key z]
    switch -- [rd_int 0 17] {
        0 - 1 - 2 {
            set a [list zadd $k]
            if {[rd_chance 0.3]} { lappend a {*}[rd_pick {nx xx gt lt ch {xx ch} {gt ch}}] }
            if {[rd_chance 0.1]} {
                lappend a incr [rd_score] [rd_member]
            } else {
                for {set i [rd_int 1 4]} {$i > 0} {incr i -1} { lappend a [rd_score] [rd_member] }
            }
            return [rd_cmd $a]
        }
        3 { return [rd_cmd [list zincrby $k [rd_score] [rd_member]]] }
        4 { return [rd_cmd [list zrem $k [rd_member] [rd_member]]] }
        5 { return [rd_cmd [list zscore $k [rd_member]]] }
        6 { return [rd_cmd [list zmscore $k [rd_member] [rd_member]]] }
        7 { return [rd_cmd [list zcard $k]] }
        8 { return [rd_cmd [list zcount $k [rd_pick {-inf 0 (1 2}] [rd_pick {+inf 5 (3}]]] }
        9 { return [rd_cmd [list [rd_pick {zrank zrevrank}] $k [rd_member]]] }
        10 - 11 {
            set a [list zrange $k]
            if {[rd_chance 0.5]} {
                lappend a [rd_idx] [rd_idx]
            } else {
                lappend a [rd_pick {-inf 0 (1}] [rd_pick {+inf 5 (3}] byscore
            }
            if {[rd_chance 0.3]} { lappend a rev }
            if {[rd_chance 0.3]} { lappend a limit [rd_int 0 2] [rd_int -1 3] }
            if {[rd_chance 0.4]} { lappend a withscores }
            return [rd_cmd $a]
        }
        12 { return [rd_cmd [list zrangebyscore $k [rd_pick {-inf 0 (1}] [rd_pick {+inf 5 (3}] {*}[rd_pick {{} withscores {limit 1 2}}]]] }
        13 { return [rd_cmd [list [rd_pick {zpopmin zpopmax}] $k {*}[expr {[rd_chance 0.5] ? [rd_int 0 3] : {}}]]] }
        14 {
            set ks [rd_keys_together [rd_int 1 3] z]
            set a [list [rd_pick {zunion zinter zdiff}] [llength $ks] {*}$ks]
            if {[rd_chance 0.5]} { lappend a withscores }
            return [rd_cmd $a {} $ks]
        }
        15 {
            set ks [rd_keys_together [rd_int 2 4] z]
            set src [lrange $ks 1 end]
            set a [list [rd_pick {zunionstore zinterstore zdiffstore}] [lindex $ks 0] [llength $src] {*}$src]
            if {[lindex $a 0] ne "zdiffstore" && [rd_chance 0.3]} { lappend a aggregate [rd_pick {sum min max}] }
            return [rd_cmd $a {} $ks]
        }
        16 {
            lassign [rd_keys_together 2 z] a b
            return [rd_cmd [list zrangestore $a $b 0 -1] {} [list $a $b]]
        }
        default {
            set ks [rd_keys_together [rd_int 1 2] z]
            return [rd_cmd [list zmpop [llength $ks] {*}$ks [rd_pick {min max}] {*}[rd_pick {{} {count 2}}]] {} $ks]
        }
    }
}

# Lexicographic ranges are specified only when every member has the same
# score (else each server's walk gives what it gives): their keys (x*)
# are kept out of the shared keyspace and only ever get score 0.
set ::rd_lex [list x0 "{a}x1" "{b}x1"]

proc rd_lexmin {} { rd_pick {- {[m1} (m0 {[} {[m3}} }
proc rd_lexmax {} { rd_pick {+ {[m4} (m9 (m2 {[m1}} }

proc rd_gen_lex {} {
    set k [rd_pick $::rd_lex]
    switch -- [rd_int 0 6] {
        0 - 1 {
            set a [list zadd $k]
            for {set i [rd_int 1 4]} {$i > 0} {incr i -1} { lappend a 0 [rd_member] }
            return [rd_cmd $a]
        }
        2 { return [rd_cmd [list zrem $k [rd_member]]] }
        3 {
            set a [list zrange $k]
            if {[rd_chance 0.5]} {
                lappend a [rd_lexmax] [rd_lexmin] bylex rev
            } else {
                lappend a [rd_lexmin] [rd_lexmax] bylex
            }
            if {[rd_chance 0.4]} { lappend a limit [rd_int 0 2] [rd_int -1 3] }
            return [rd_cmd $a]
        }
        4 { return [rd_cmd [list zrangebylex $k [rd_lexmin] [rd_lexmax] {*}[rd_pick {{} {limit 1 2}}]]] }
        5 { return [rd_cmd [list zlexcount $k [rd_lexmin] [rd_lexmax]]] }
        default { return [rd_cmd [list zremrangebylex $k [rd_lexmin] [rd_lexmax]]] }
    }
}

proc rd_gen_sort {} {
    # ALPHA only: a numeric sort orders equal scores ("1", "01") as the
    # sort algorithm leaves them, which no two servers need agree on
    set k [rd_key l]
    if {[rd_chance 0.5]} {
        return [rd_cmd [list sort_ro $k alpha {*}[rd_pick {{} desc {limit 0 2}}]]]
    }
    lassign [rd_keys_together 2 l] a b
    return [rd_cmd [list sort $a alpha store $b] {} [list $a $b]]
}

# Wrong argument counts and unknown commands (the proxy answers both
# itself, with redis-server's wording).
proc rd_gen_error {} {
    switch -- [rd_int 0 5] {
        0 { return [rd_cmd [rd_pick {{get} {get a b} {set k} {mget} {del} {exists}
            {incr} {hget h} {lpush l} {zadd z 1} {rename a} {type} {ttl} {strlen a b}
            {lrange l 0} {mset a} {sadd s} {echo} {echo a b} {dbsize x} {expire k}}]] }
        1 { return [rd_cmd [list mset k0 v k1]] }
        2 { return [rd_cmd [list [rd_pick {nosuch NoSuCh foo.bar {}}] {*}[rd_keys_any [rd_int 0 3]]]] }
        3 { return [rd_cmd [list nosuch [randstring 100 200 alpha] x]] }
        4 { return [rd_cmd [list [rd_pick {getx sett hgetalll}] [rd_key] "a\r\nb"]] }
        default { return [rd_cmd [list [rd_pick {GET Get gEt}] [rd_key]]] }
    }
}

# ---- forwarded-only commands (compat/cmd.def FWD) ----
#
# The families shoal-server lacks and the proxy forwards by their keys:
# generated only over redis-server nodes (rd_keyspace 1), since
# shoal-server nodes answer "unknown command" where the one redis-server
# reference would not. DUMP and RESTORE are not generated: the payload
# holds the value's encoding, and a set or hash in a hash table is dumped
# in the order of the node's randomly seeded hash function, so two
# servers dump the same value differently (proxy-forward.tcl covers them
# on fixed values).

# LCS keys, out of the shared keyspace so only the short values
# rd_gen_lcs writes are there: LCS takes (len1+1)*(len2+1)*4 bytes, and
# two 70 KB values of the shared keys would ask redis-server for 20 GB.
set ::rd_lcs [list c0 c1 "{a}c1" "{a}c2" "{b}c1"]

# Streams whose ids the node makes (XADD *), out of the shared keyspace,
# whose streams get explicit ids only. A made id is the node's clock, so
# it differs between the proxy's nodes and the reference: normalised
# (rd_resp_norm xid). So do the entries' sizes in the node's listpacks
# (each id is stored as a delta from the node's first), so where a node
# of the stream's radix tree ends does too: approximate trimming (~,
# LIMIT) and XINFO STREAM (radix tree counts) are never generated on them.
set ::rd_xauto [list ta "{a}ta" "{b}ta"]

# The key a run of rd_gen_fwd mostly comes back to (pick: a command giving
# a key), chosen at the run's first use.
proc rd_run_key {fam pick} {
    if {![info exists ::rd_cur($fam)]} { set ::rd_cur($fam) [{*}$pick] }
    return $::rd_cur($fam)
}

# PFADD elements: a few, or now and then hundreds to thousands of distinct
# ones, enough for the sparse encoding to turn dense
# (hll-sparse-max-bytes 3000).
proc rd_hll_elems {} {
    set out {}
    if {[rd_chance 0.04]} {
        set base [rd_int 0 5000]
        for {set i [rd_int 300 2500]} {$i > 0} {incr i -1} { lappend out e[expr {$base + $i}] }
    } else {
        for {set i [rd_int 0 5]} {$i > 0} {incr i -1} {
            lappend out [expr {[rd_chance 0.7] ? [rd_member] : [rd_val]}]
        }
    }
    return $out
}

proc rd_gen_hll {} {
    set k [expr {[rd_chance 0.7] ? [rd_run_key_of hll] : [rd_key p]}]
    switch -- [rd_int 0 5] {
        0 - 1 - 2 { return [rd_cmd [list pfadd $k {*}[rd_hll_elems]]] }
        3 { return [rd_cmd [list pfcount $k]] }
        4 {
            set ks [rd_keys_together [rd_int 1 3] p]
            return [rd_cmd [list pfcount {*}$ks] {} $ks]
        }
        default {
            set ks [rd_keys_together [rd_int 1 3] p]
            return [rd_cmd [list pfmerge {*}$ks] {} $ks]
        }
    }
}

# Places in a box of some 270 x 220 km, so searches find some, and now and
# then out of the valid range.
proc rd_lonlat {} {
    if {[rd_chance 0.03]} { return [rd_pick {{200 10} {10 89} {x 1} {-180 -85.05112878}}] }
    return [list [format %d.%04d [rd_int 12 14] [rd_int 0 9999]] \
                [format %d.%04d [rd_int 37 38] [rd_int 0 9999]]]
}

# Place names: fewer than rd_member's, so searches from a member and
# GEODIST mostly find theirs; one named like GEORADIUS's option (the
# member of GEORADIUSBYMEMBER is not a STORE keyword).
proc rd_place {} { rd_pick {m0 m1 m2 m3 m4 m5 m6 store} }

proc rd_geo_radius {} {
    set unit [rd_pick {km km km mi m ft}]
    set scale [dict get {km 1 mi 1 m 1000 ft 3000} $unit]
    return [list [expr {[rd_int 0 200] * $scale}] $unit]
}

proc rd_geo_shape {} {
    if {[rd_chance 0.6]} { return [list byradius {*}[rd_geo_radius]] }
    lassign [rd_geo_radius] w unit
    return [list bybox [expr {$w + 1}] [expr {[rd_int 1 300] * ($w + 1) / 100 + 1}] $unit]
}

proc rd_geo_from {} {
    if {[rd_chance 0.5]} { return [list frommember [rd_place]] }
    return [list fromlonlat {*}[rd_lonlat]]
}

# Search options; with (1) the WITH* ones, which STORE refuses.
proc rd_geo_opts {with} {
    set a {}
    if {$with} {
        foreach o {withcoord withdist withhash} { if {[rd_chance 0.25]} { lappend a $o } }
    }
    if {[rd_chance 0.4]} {
        lappend a count [rd_pick {1 2 3 4 0}]
        if {[rd_chance 0.3]} { lappend a any }
    }
    if {[rd_chance 0.5]} { lappend a [rd_pick {asc desc}] }
    return $a
}

proc rd_gen_geo {} {
    set k [expr {[rd_chance 0.7] ? [rd_run_key_of geo] : [rd_key g]}]
    switch -- [rd_int 0 10] {
        0 - 1 - 2 {
            set a [list geoadd $k]
            if {[rd_chance 0.2]} { lappend a {*}[rd_pick {nx xx ch {xx ch}}] }
            for {set i [rd_int 1 6]} {$i > 0} {incr i -1} { lappend a {*}[rd_lonlat] [rd_place] }
            return [rd_cmd $a]
        }
        3 { return [rd_cmd [list geodist $k [rd_place] [rd_place] {*}[rd_pick {{} km mi m ft}]]] }
        4 { return [rd_cmd [list [rd_pick {geopos geohash}] $k [rd_place] [rd_place]]] }
        5 - 6 { return [rd_cmd [list geosearch $k {*}[rd_geo_from] {*}[rd_geo_shape] {*}[rd_geo_opts 1]]] }
        7 {
            lassign [rd_keys_together 2 g] d s
            set a [list geosearchstore $d $s {*}[rd_geo_from] {*}[rd_geo_shape] {*}[rd_geo_opts 0]]
            if {[rd_chance 0.4]} { lappend a storedist }
            return [rd_cmd $a {} [list $d $s]]
        }
        default {
            # GEORADIUS key lon lat r unit ..., GEORADIUSBYMEMBER key member
            # r unit ..., _RO or with STORE / STOREDIST keys (both: the
            # last one is the node's; the proxy wants every one with key)
            set name [rd_pick {georadius georadiusbymember}]
            set at [expr {$name eq "georadius" ? [rd_lonlat] : [list [rd_place]]}]
            if {[rd_chance 0.3]} {
                return [rd_cmd [list ${name}_ro $k {*}$at {*}[rd_geo_radius] {*}[rd_geo_opts 1]]]
            }
            if {[rd_chance 0.4]} {
                return [rd_cmd [list $name $k {*}$at {*}[rd_geo_radius] {*}[rd_geo_opts 1]]]
            }
            set ks [rd_keys_together [rd_int 2 3] g]
            set st {}
            foreach d [lrange $ks 1 end] { lappend st [rd_pick {store storedist}] $d }
            set opts [expr {[rd_chance 0.5] ? [concat $st [rd_geo_opts 0]] : [concat [rd_geo_opts 0] $st]}]
            return [rd_cmd [list $name [lindex $ks 0] {*}$at {*}[rd_geo_radius] {*}$opts] {} $ks]
        }
    }
}

proc rd_bf_type {} { rd_pick [list u[rd_int 1 63] i[rd_int 1 64] u8 i8 u1 i64 u64] }
proc rd_bf_off {} { rd_pick [list [rd_int 0 100] [rd_int 0 100] #[rd_int 0 6] -1] }

# BITFIELD operations; BITFIELD_RO (ro 1) takes GET only.
proc rd_bf_ops {ro} {
    set a {}
    for {set i [rd_int 1 4]} {$i > 0} {incr i -1} {
        switch -- [expr {$ro ? "get" : [rd_pick {get set incrby overflow}]}] {
            get { lappend a get [rd_bf_type] [rd_bf_off] }
            set { lappend a set [rd_bf_type] [rd_bf_off] [rd_pick [list [rd_int -300 300] 9223372036854775807 x]] }
            incrby { lappend a incrby [rd_bf_type] [rd_bf_off] [rd_int -200 200] }
            overflow { lappend a overflow [rd_pick {wrap sat fail}] }
        }
    }
    return $a
}

# Bit commands over the strings' keys.
proc rd_gen_bits {} {
    set k [rd_key s]
    switch -- [rd_int 0 5] {
        0 - 1 {
            set a [list bitpos $k [rd_pick {0 1 1 2}]]
            switch -- [rd_int 0 3] {
                1 { lappend a [rd_int -10 40] }
                2 { lappend a [rd_int -10 40] [rd_int -10 40] }
                3 { lappend a [rd_int -10 40] [rd_int -10 300] [rd_pick {byte bit}] }
            }
            return [rd_cmd $a]
        }
        2 - 3 { return [rd_cmd [list bitfield $k {*}[rd_bf_ops 0]]] }
        4 { return [rd_cmd [list bitfield_ro $k {*}[rd_bf_ops 1]]] }
        default {
            set op [rd_pick {and or xor not}]
            # NOT takes one source (two: the node's error)
            set n [expr {$op eq "not" ? [rd_pick {2 2 2 3}] : [rd_int 2 4]}]
            set ks [rd_keys_together $n s]
            return [rd_cmd [list bitop $op {*}$ks] {} $ks]
        }
    }
}

proc rd_lcs_val {} {
    set v {}
    for {set i [rd_int 0 24]} {$i > 0} {incr i -1} { append v [rd_pick {a b c d}] }
    return $v
}

# LCS over rd_lcs, whose values stay short (see there).
proc rd_gen_lcs {} {
    set k [rd_pick $::rd_lcs]
    switch -- [rd_int 0 7] {
        0 - 1 { return [rd_cmd [list set $k [rd_lcs_val]]] }
        2 { return [rd_cmd [list append $k [rd_lcs_val]]] }
        3 { return [rd_cmd [rd_pick [list [list del $k] [list rpush $k m0]]]] }
        default {
            if {[rd_chance 0.8]} {
                set from [rd_pick [list [list "{a}c1" "{a}c2"] [list "{b}c1"]]]
                set ks [list [rd_pick $from] [rd_pick $from]]
            } else {
                set ks [list [rd_pick $::rd_lcs] [rd_pick $::rd_lcs]]
            }
            set a [list lcs {*}$ks]
            switch -- [rd_int 0 4] {
                1 { lappend a len }
                2 - 3 {
                    lappend a idx
                    if {[rd_chance 0.5]} { lappend a minmatchlen [rd_int 0 4] }
                    if {[rd_chance 0.5]} { lappend a withmatchlen }
                }
                4 { lappend a {*}[rd_pick {{len idx} {idx minmatchlen x} {bogus}}] }
            }
            return [rd_cmd $a {} $ks]
        }
    }
}

proc rd_gen_zintercard {} {
    if {[rd_chance 0.1]} {
        # a numkeys redis-server refuses: where keyless commands go, for its error
        return [rd_cmd [list zintercard [rd_pick {0 -1 x 3}] [rd_key z]]]
    }
    set ks [rd_keys_together [rd_int 1 3] z]
    set a [list zintercard [llength $ks] {*}$ks {*}[rd_pick {{} {} {limit 0} {limit 1} {limit 2} {limit -1}}]]
    return [rd_cmd $a {} $ks]
}

# ---- streams ----

# A stream key: the shared t keys mostly, else one of rd_xauto; mostly
# the run's (rd_run_key).
proc rd_xkey {} {
    if {[rd_chance 0.7]} { return [rd_run_key_of stream] }
    return [rd_xkey_any]
}

proc rd_xkey_any {} {
    if {[rd_chance 0.2]} { return [rd_pick $::rd_xauto] }
    return [rd_key t]
}

# An explicit id for XADD: mostly past every one before (the last 12 are
# kept in ::rd_xids), else ms-* (the node numbers the sequence:
# deterministic), or one likely too small.
proc rd_xid_new {} {
    set p [expr {rand()}]
    if {$p < 0.9} {
        set id "[incr ::rd_xms]-[rd_pick {0 0 1 2}]"
        set ::rd_xids [lrange [linsert $::rd_xids 0 $id] 0 11]
        return [expr {$p < 0.75 ? $id : "$::rd_xms-*"}]
    }
    return [rd_pick [list 0-0 0-1 [rd_int 1 [expr {$::rd_xms + 1}]] "[rd_int 1 [expr {$::rd_xms + 1}]]-*" 1-x]]
}

# An id that an entry may have: one of the last given to XADD mostly.
proc rd_xid_old {} {
    if {[llength $::rd_xids] && [rd_chance 0.7]} { return [rd_pick $::rd_xids] }
    return "[rd_int [expr {max(0, $::rd_xms - 15)}] $::rd_xms]-[rd_pick {0 0 0 1 2}]"
}
proc rd_xstart {} { rd_pick [list - - - [rd_xid_old] ([rd_xid_old] [rd_int 0 $::rd_xms]] }
proc rd_xend {} { rd_pick [list + + + [rd_xid_old] ([rd_xid_old] [rd_int 0 $::rd_xms]] }
proc rd_xval {} { expr {[rd_chance 0.8] ? [rd_member] : [rd_val]} }
proc rd_xgroup {} { expr {[rd_chance 0.85] ? "grpA" : "grpB"} }
# consumers: one named like XREADGROUP's keyword (GROUP takes two
# arguments, whatever they are called)
proc rd_xconsumer {} { rd_pick {alice alice bob carol streams} }

# MAXLEN / MINID trimming: exact, or approximate (~, LIMIT) on the shared
# streams only (auto 0, see rd_xauto).
proc rd_xtrim_opts {auto} {
    set strat [rd_pick {maxlen minid}]
    set at [expr {$strat eq "maxlen" ? [rd_int 0 8] : [rd_xid_old]}]
    if {$auto || [rd_chance 0.5]} { return [list $strat {*}[rd_pick {{} =}] $at] }
    set a [list $strat ~ $at]
    if {[rd_chance 0.4]} { lappend a limit [rd_int 0 50] }
    return $a
}

proc rd_gen_xadd {} {
    set k [rd_xkey]
    set auto [expr {$k in $::rd_xauto}]
    set a [list xadd $k]
    if {[rd_chance 0.1]} { lappend a nomkstream }
    if {[rd_chance 0.2]} { lappend a {*}[rd_xtrim_opts $auto] }
    lappend a [expr {$auto ? "*" : [rd_xid_new]}]
    for {set i [rd_int 1 3]} {$i > 0} {incr i -1} { lappend a [rd_field] [rd_xval] }
    return [rd_cmd $a xid]
}

# Keys for XREAD / XREADGROUP (the first half after STREAMS): 1-3 of a
# group mostly, now and then with a stream of rd_xauto.
proc rd_xstreams {} {
    set ks [expr {[rd_chance 0.7] ? [list [rd_xkey]] : [rd_keys_together [rd_pick {1 1 2 3}] t]}]
    if {[rd_chance 0.1]} { lappend ks [rd_pick $::rd_xauto] }
    return $ks
}

proc rd_gen_xread {} {
    set ks [rd_xstreams]
    set a [list xread]
    if {[rd_chance 0.5]} { lappend a count [rd_int 1 3] }
    lappend a streams {*}$ks
    # $ without BLOCK: what comes after now, so nothing
    foreach k $ks { lappend a [rd_pick [list 0 0-0 \$ [rd_xid_old] [rd_xid_old]]] }
    return [rd_cmd $a xid $ks]
}

proc rd_gen_xreadgroup {} {
    set ks [expr {[rd_chance 0.6] ? [list [rd_run_key_of stream]] : [rd_xstreams]}]
    set a [list xreadgroup group [rd_xgroup] [rd_xconsumer]]
    if {[rd_chance 0.5]} { lappend a count [rd_int 1 3] }
    if {[rd_chance 0.2]} { lappend a noack }
    lappend a streams {*}$ks
    foreach k $ks { lappend a [rd_pick [list > > > > > > 0 [rd_xid_old]]] }
    return [rd_cmd $a xid $ks]
}

proc rd_gen_xgroup {} {
    set k [rd_xkey]
    set g [rd_xgroup]
    switch -- [rd_int 0 6] {
        0 - 1 - 2 - 3 {
            set a [list xgroup create $k $g [rd_pick [list 0 \$ [rd_xid_old]]]]
            if {[rd_chance 0.8]} { lappend a mkstream }
            if {[rd_chance 0.1]} { lappend a entriesread [rd_int 0 5] }
            return [rd_cmd $a xid]
        }
        4 { return [rd_cmd [list xgroup setid $k $g [rd_pick [list 0 \$ [rd_xid_old]]]] xid] }
        5 { return [rd_cmd [list xgroup [rd_pick {destroy createconsumer}] $k $g {*}[rd_pick [list {} [rd_xconsumer]]]]] }
        default { return [rd_cmd [list xgroup delconsumer $k $g [rd_xconsumer]]] }
    }
}

# XPENDING's summary, or (xpend) the extended form, each entry's idle
# time masked; IDLE filters by the clock, so only IDLE 0.
proc rd_gen_xpending {k} {
    set a [list xpending $k [rd_xgroup]]
    if {[rd_chance 0.5]} { return [rd_cmd $a xid] }
    if {[rd_chance 0.2]} { lappend a idle 0 }
    lappend a [rd_xstart] [rd_xend] [rd_int 0 5]
    if {[rd_chance 0.4]} { lappend a [rd_xconsumer] }
    return [rd_cmd $a xpend]
}

# XCLAIM and XAUTOCLAIM with min-idle-time 0 (any other compares the
# entries' idle times with the clock).
proc rd_gen_xclaim {k} {
    if {[rd_chance 0.5]} {
        set a [list xclaim $k [rd_xgroup] [rd_xconsumer] 0]
        for {set i [rd_int 1 3]} {$i > 0} {incr i -1} { lappend a [rd_xid_old] }
        foreach o {justid force {retrycount 5}} { if {[rd_chance 0.2]} { lappend a {*}$o } }
        return [rd_cmd $a xid]
    }
    set a [list xautoclaim $k [rd_xgroup] [rd_xconsumer] 0 [rd_pick [list 0 0-0 [rd_xid_old]]]]
    if {[rd_chance 0.5]} { lappend a count [rd_int 1 5] }
    if {[rd_chance 0.3]} { lappend a justid }
    return [rd_cmd $a xid]
}

proc rd_gen_stream {} {
    set k [rd_xkey]
    switch -- [rd_int 0 29] {
        0 - 1 - 2 - 3 - 4 - 5 - 6 { return [rd_gen_xadd] }
        7 - 8 - 9 { return [rd_gen_xgroup] }
        10 - 11 - 12 { return [rd_gen_xreadgroup] }
        13 - 14 {
            set a [list xack $k [rd_xgroup]]
            for {set i [rd_int 1 3]} {$i > 0} {incr i -1} { lappend a [rd_xid_old] }
            return [rd_cmd $a]
        }
        15 - 16 { return [rd_gen_xpending $k] }
        17 - 18 { return [rd_gen_xclaim $k] }
        19 - 20 { return [rd_cmd [list xrange $k [rd_xstart] [rd_xend] {*}[rd_pick {{} {} {count 2}}]] xid] }
        21 { return [rd_cmd [list xrevrange $k [rd_xend] [rd_xstart] {*}[rd_pick {{} {count 1}}]] xid] }
        22 - 23 { return [rd_gen_xread] }
        24 { return [rd_cmd [list xlen $k]] }
        25 {
            set a [list xdel $k]
            for {set i [rd_int 1 3]} {$i > 0} {incr i -1} { lappend a [rd_xid_old] }
            return [rd_cmd $a]
        }
        26 { return [rd_cmd [list xtrim $k {*}[rd_xtrim_opts [expr {$k in $::rd_xauto}]]]] }
        27 { return [rd_cmd [list xinfo groups $k] xid] }
        28 {
            # never on rd_xauto (see there)
            return [rd_cmd [list xinfo stream [expr {$k in $::rd_xauto ? [rd_key t] : $k}]]]
        }
        default {
            # on the shared streams only: the ids of rd_xauto are unknown
            return [rd_cmd [list xsetid [rd_key t] [rd_pick [list [rd_xid_old] [rd_xid_new]]]]]
        }
    }
}

# Wrong argument counts (the proxy answers them itself, in redis-server's
# words) and forms only the node refuses.
proc rd_gen_fwd_error {} {
    rd_cmd [rd_pick {{pfadd} {pfcount} {pfmerge} {geoadd g0 1 2} {geodist g0 m0}
        {geopos} {geohash} {georadius g0 1 2 3} {georadiusbymember g0 m0 1}
        {geosearch g0 frommember m0 byradius} {geosearchstore g0 g1 x} {bitpos s0}
        {bitfield} {bitop and s0} {bitop} {lcs c0} {zintercard 1} {xadd t0 1-1 f}
        {xadd t0} {xlen} {xlen t0 x} {xrange t0 -} {xrevrange t0 +} {xdel t0} {xtrim t0 maxlen}
        {xgroup} {xgroup create t0} {xgroup help} {xinfo} {xinfo help} {xread count}
        {xread streams} {xreadgroup group grpA alice} {xack t0 grpA} {xpending t0}
        {xclaim t0 grpA alice 0} {xsetid t0}}]
}

# Forwarded-only commands come in runs of 1-20 of one family (streams
# 5-30: a consumer group's work takes a few steps), a run
# mostly on one key (rd_run_key), which it often begins by deleting (a
# value of another family left there would stay: no command of these
# families overwrites one) and filling: spread over the whole mix and all
# their keys, a stream or a geo set would seldom get past an entry or
# two, or keep a consumer group, before DEL or FLUSHDB came by, and reads
# would find nothing.
proc rd_gen_fwd {} {
    if {$::rd_run_left <= 0} {
        set r [expr {rand()}]
        set fam [expr {$r < 0.12 ? "hll" : $r < 0.32 ? "geo" : $r < 0.44 ? "bits" :
            $r < 0.49 ? "lcs" : $r < 0.54 ? "zintercard" : "stream"}]
        set ::rd_run_fam $fam
        set ::rd_run_left [expr {$fam eq "stream" ? [rd_int 5 30] : [rd_int 1 20]}]
        array unset ::rd_cur
        set ::rd_run_queue {}
        if {$fam in {hll geo stream}} {
            if {[rd_chance 0.5]} { lappend ::rd_run_queue [rd_cmd [list del [rd_run_key_of $fam]]] }
            if {[rd_chance [expr {$fam eq "stream" ? 0.9 : 0.8}]]} { lappend ::rd_run_queue [rd_gen_fill $fam] }
        }
    }
    incr ::rd_run_left -1
    if {[llength $::rd_run_queue]} {
        set ::rd_run_queue [lassign $::rd_run_queue c]
        return $c
    }
    if {[rd_chance 0.03]} { return [rd_gen_fwd_error] }
    return [rd_gen_$::rd_run_fam]
}

proc rd_run_key_of {fam} {
    switch -- $fam {
        hll { return [rd_run_key p {rd_key p}] }
        geo { return [rd_run_key g {rd_key g}] }
        default { return [rd_run_key t rd_xkey_any] }
    }
}

# A run's filling: a stream with a consumer group (so the group's
# commands have one to work on), a geo set of a few places.
proc rd_gen_fill {fam} {
    set k [rd_run_key_of $fam]
    switch -- $fam {
        geo {
            set a [list geoadd $k]
            for {set i [rd_int 3 8]} {$i > 0} {incr i -1} { lappend a {*}[rd_lonlat] [rd_place] }
            return [rd_cmd $a]
        }
        stream { return [rd_cmd [list xgroup create $k grpA [rd_pick {0 $}] mkstream] xid] }
        default { return [rd_cmd [list pfadd $k {*}[rd_hll_elems]]] }
    }
}

# Over redis-server nodes (rd_fwd) about a third are forwarded-only
# commands (rd_gen_fwd's runs, one begun at 4% of the others), and FLUSHDB
# / FLUSHALL come 30% as often: a stream would seldom keep a consumer
# group long enough to deliver and acknowledge entries in the 200
# commands between two flushes.
proc rd_gen_resp {} {
    set r [expr {rand()}]
    if {$::rd_fwd && ($::rd_run_left > 0 || [rd_chance 0.04])} { set c [rd_gen_fwd]
    } elseif {$r < 0.26} { set c [rd_gen_string]
    } elseif {$r < 0.42} { set c [rd_gen_keyspace]
    } elseif {$r < 0.54} { set c [rd_gen_hash]
    } elseif {$r < 0.68} { set c [rd_gen_list]
    } elseif {$r < 0.79} { set c [rd_gen_set]
    } elseif {$r < 0.89} { set c [rd_gen_zset]
    } elseif {$r < 0.92} { set c [rd_gen_lex]
    } elseif {$r < 0.94} { set c [rd_gen_sort]
    } elseif {$r < 0.995 || ($::rd_fwd && [rd_chance 0.7])} { set c [rd_gen_error]
    } else { set c [rd_cmd [list [rd_pick {flushdb flushall}]]] }
    # command names in any case
    if {[rd_chance 0.08]} {
        set argv [lindex $c 0]
        lset argv 0 [string toupper [lindex $argv 0]]
        lset c 0 $argv
    }
    return $c
}

# The request bytes: a multibulk, or (sometimes) the inline form when
# every argument is plain.
proc rd_resp_bytes {argv} {
    # short lines only: redis-server takes an inline line over 64 KB when
    # it arrives in one read, the proxy refuses it however it arrives
    if {[rd_chance 0.04] && [llength $argv] && [lindex $argv 0] ne {} &&
            [string length $argv] < 2000} {
        set plain 1
        foreach a $argv {
            if {$a eq {} || ![regexp {^[A-Za-z0-9_.:*{}+-]+$} $a]} { set plain 0; break }
        }
        if {$plain} { return "[join $argv { }]\r\n" }
    }
    return [resp_encode $argv]
}

# ---- reply normalisation ----

# The index just past the RESP reply starting at i in s.
proc rd_resp_end {s i} {
    set e [string first "\r\n" $s $i]
    set t [string index $s $i]
    set n [string range $s [expr {$i + 1}] [expr {$e - 1}]]
    set i [expr {$e + 2}]
    if {$t eq "\$" && $n >= 0} {
        incr i [expr {$n + 2}]
    } elseif {$t eq "*" && $n > 0} {
        for {set k 0} {$k < $n} {incr k} { set i [rd_resp_end $s $i] }
    }
    return $i
}

proc rd_resp_elems {raw} {
    set e [string first "\r\n" $raw]
    set n [string range $raw 1 [expr {$e - 1}]]
    set i [expr {$e + 2}]
    set out {}
    for {set k 0} {$k < $n} {incr k} {
        set j [rd_resp_end $raw $i]
        lappend out [string range $raw $i [expr {$j - 1}]]
        set i $j
    }
    return $out
}

proc rd_resp_norm {norm raw} {
    switch -- $norm {
        xpend {
            # an extended XPENDING entry: id, consumer, idle ms, deliveries
            regsub -all {(\*4\r\n\$[0-9]+\r\n[0-9]+-[0-9]+\r\n\$[0-9]+\r\n[^\r]*\r\n):[0-9]+\r\n} \
                $raw "\\1:<idle>\r\n" raw
            return [rd_resp_norm xid $raw]
        }
        xid {
            # stream ids the node made (XADD * on rd_xauto): its clock in
            # ms, 13 digits from 2001 to 2286; explicit ids stay far below
            regsub -all {\$[0-9]+\r\n1[0-9]{12}-[0-9]+\r\n} $raw "\$<n>\r\n<auto-id>\r\n" raw
            return $raw
        }
        ttl {
            if {[regexp {^:([0-9]+)\r\n$} $raw]} { return ":>=0\r\n" }
        }
        sort {
            if {[string match {\*[1-9]*} $raw]} {
                set el [rd_resp_elems $raw]
                return "*[llength $el]\r\n[join [lsort $el] {}]"
            }
        }
        pairs {
            if {[string match {\*[1-9]*} $raw]} {
                set pairs {}
                foreach {f v} [rd_resp_elems $raw] { lappend pairs "$f$v" }
                return "*[expr {2 * [llength $pairs]}]\r\n[join [lsort $pairs] {}]"
            }
        }
    }
    return $raw
}

# ---- the driver ----

# Node index of every key of the keyspace, from the proxy.
proc rd_resp_routes {} {
    array unset ::rd_route
    foreach k [concat $::rd_keys $::rd_side] { set ::rd_route($k) [lindex [r proxy route $k] 2] }
}

proc rd_must_refuse {together} {
    set nodes {}
    foreach k $together { lappend nodes $::rd_route($k) }
    return [expr {[llength [lsort -unique $nodes]] > 1}]
}

# The batch's commands before index i, for context.
proc rd_context {cmds i} {
    set out {}
    for {set j [expr {max(0, $i - 3)}]} {$j < $i} {incr j} {
        append out "\n    #$j [rd_show [join [lindex $cmds $j 0] { }] 120]"
    }
    return $out
}

# A batch's bytes for the proxy and for the reference (without the
# commands the proxy must refuse), and which those are.
proc rd_resp_prepare {cmds} {
    set pbytes {}
    set rbytes {}
    set skip {}
    foreach c $cmds {
        set b [rd_resp_bytes [lindex $c 0]]
        append pbytes $b
        set s [rd_must_refuse [lindex $c 2]]
        lappend skip $s
        if {!$s} { append rbytes $b }
    }
    return [list $pbytes $rbytes $skip]
}

proc rd_resp_read {c n} {
    set out {}
    for {set i 0} {$i < $n} {incr i} { lappend out [$c read_raw] }
    return $out
}

# Forwarded-only commands answered through the proxy with neither an
# error nor an empty or null reply, by name: the generator must reach
# what they do, not only their errors. Those of ::rd_fwd_core must each be
# reached in a sequence of 5000 commands or more (the default; some come
# a handful of times in 3000).
set ::rd_fwd_core {pfadd pfcount pfmerge geoadd geosearch geosearchstore georadius
    bitpos bitfield bitop lcs zintercard xadd xlen xrange xread xreadgroup xack xpending
    xgroup xautoclaim xinfo}

proc rd_fwd_note {argv reply} {
    if {!$::rd_fwd || [string index $reply 0] eq "-" || $reply in {"*0\r\n" "*-1\r\n" "$-1\r\n"}} {
        return
    }
    set name [string tolower [lindex $argv 0]]
    if {[lsearch -exact $::rd_fwd_core $name] >= 0} { dict incr ::rd_fwd_ok $name }
}

# Compares a batch's replies; returns how many commands were refused.
proc rd_resp_check {what cmds skip preplies rreplies} {
    set refused 0
    set i 0
    set j 0
    foreach c $cmds s $skip mine $preplies {
        lassign $c argv norm together
        set where "$what ([llength $cmds] commands), command #$i,\
            [rd_replay]:\n  command: [rd_show [join $argv { }]]"
        if {$s} {
            incr refused
            if {![string match "-CROSSSLOT *" $mine]} {
                fail "$where\n  keys on nodes [lmap k $together {set ::rd_route($k)}]:\
                    the proxy should refuse it\n  proxy: [rd_show $mine][rd_context $cmds $i]"
            }
        } else {
            set theirs [lindex $rreplies $j]
            incr j
            if {[rd_resp_norm $norm $mine] ne [rd_resp_norm $norm $theirs]} {
                fail "$where\n  proxy:     [rd_show $mine]\n  reference:\
                    [rd_show $theirs][rd_context $cmds $i]"
            }
            rd_fwd_note $argv $mine
        }
        incr i
    }
    return $refused
}

# Runs n random commands through the proxy (client px) and on the
# reference (client ref), in batches; fails at the first difference.
proc rd_resp_run {what px ref n} {
    set done 0
    set batchno 0
    set refused 0
    while {$done < $n} {
        incr batchno
        set cmds {}
        for {set i [rd_int 1 50]} {$i > 0 && $done < $n} {incr i -1; incr done} {
            lappend cmds [rd_gen_resp]
        }
        lassign [rd_resp_prepare $cmds] pbytes rbytes skip
        rd_send [$px fd] $pbytes [rd_chance 0.25]
        set preplies [rd_resp_read $px [llength $cmds]]
        rd_send [$ref fd] $rbytes 0
        set rreplies [rd_resp_read $ref [expr {[llength $cmds] - [tcl::mathop::+ 0 {*}$skip]}]]
        incr refused [rd_resp_check "$what: batch $batchno" $cmds $skip $preplies $rreplies]
    }
    return [list $batchno $refused]
}

# ---- many clients at once ----

# Client ci's copy of the keyspace: every key with ":c<ci>" after it (the
# hash tag stays), so clients never touch each other's keys and any
# interleaving gives each the replies it would get alone.
proc rd_resp_client_keys {ci} {
    set map {}
    foreach k [concat $::rd_keys $::rd_side] { lappend map $k $k:c$ci }
    return $map
}

proc rd_resp_client_cmd {map} {
    while {1} {
        lassign [rd_gen_resp] argv norm together
        # these see every client's keys
        if {[string tolower [lindex $argv 0]] ni {keys dbsize flushdb flushall}} { break }
    }
    set d [dict create {*}$map]
    set argv [lmap a $argv { expr {[dict exists $d $a] ? [dict get $d $a] : $a} }]
    set together [lmap a $together { dict get $d $a }]
    return [list $argv $norm $together]
}

proc rd_resp_concurrent {nclients rounds} {
    set pxs {}
    set refs {}
    set maps {}
    for {set i 0} {$i < $nclients} {incr i} {
        lappend pxs [new_client]
        lappend refs [resp_client 127.0.0.1 [oracle_srv port]]
        set map [rd_resp_client_keys $i]
        lappend maps $map
        foreach {k ck} $map { set ::rd_route($ck) [lindex [r proxy route $ck] 2] }
    }
    for {set round 1} {$round <= $rounds} {incr round} {
        set batches {}
        set preps {}
        foreach map $maps {
            set cmds {}
            for {set j [rd_int 1 20]} {$j > 0} {incr j -1} { lappend cmds [rd_resp_client_cmd $map] }
            lappend batches $cmds
            lappend preps [rd_resp_prepare $cmds]
        }
        # every client's batch is out before any reply is read
        foreach c $pxs prep $preps { rd_send [$c fd] [lindex $prep 0] [rd_chance 0.1] }
        set mines {}
        foreach c $pxs cmds $batches { lappend mines [rd_resp_read $c [llength $cmds]] }
        set i 0
        foreach c $refs cmds $batches prep $preps mine $mines {
            lassign $prep pbytes rbytes skip
            rd_send [$c fd] $rbytes 0
            set theirs [rd_resp_read $c [expr {[llength $cmds] - [tcl::mathop::+ 0 {*}$skip]}]]
            rd_resp_check "$nclients clients: round $round, client $i" $cmds $skip $mine $theirs
            incr i
        }
    }
    foreach c [concat $pxs $refs] { $c close }
}

proc rd_raw_norm {c argv norm} {
    $c raw [resp_encode $argv]
    return [rd_resp_norm $norm [$c read_raw]]
}

# The keyspace of both sides, compared once the sequence is over.
proc rd_resp_dump_same {px ref} {
    foreach k [concat $::rd_keys $::rd_side] {
        set a [$px type $k]
        set b [$ref type $k]
        assert_equal $a $b "type of $k"
        switch -- $a {
            string { assert_equal [$px get $k] [$ref get $k] "value of $k" }
            list { assert_equal [$px lrange $k 0 -1] [$ref lrange $k 0 -1] "list $k" }
            set { assert_equal [lsort [$px smembers $k]] [lsort [$ref smembers $k]] "set $k" }
            zset { assert_equal [$px zrange $k 0 -1 withscores] [$ref zrange $k 0 -1 withscores] "zset $k" }
            hash { assert_equal [lsort -stride 2 [$px hgetall $k]] [lsort -stride 2 [$ref hgetall $k]] "hash $k" }
            stream {
                foreach c [list [list xrange $k - +] [list xinfo groups $k]] {
                    assert_equal [rd_raw_norm $px $c xid] [rd_raw_norm $ref $c xid] "stream $k: $c"
                }
            }
        }
    }
}

proc rd_resp_part {part kind nnodes} {
    set nodes [proxy_nodes $kind $nnodes]
    try {
        start_oracle_redis {} {
            start_proxy [proxy_yaml rdiff redis $nodes hash murmur hash_tag "\"{}\"" timeout 5000] {
                test "randdiff RESP: $::rd_n random commands, then 10 clients interleaved, proxy over $nnodes $kind nodes\
                        = one redis-server" {
                    rd_srand $part
                    rd_keyspace [expr {$kind eq "redis"}]
                    set ::rd_fwd_ok {}
                    rd_resp_routes
                    # the keyspace is spread: some multi-key commands are refused
                    set used {}
                    foreach {k n} [array get ::rd_route] { lappend used $n }
                    assert_equal [llength [lsort -unique $used]] $nnodes
                    set px [new_client]
                    set ref [resp_client 127.0.0.1 [oracle_srv port]]
                    rd_seeded {
                        lassign [rd_resp_run "$kind x$nnodes" $px $ref $::rd_n] batches refused
                    }
                    rd_resp_dump_same $px $ref
                    rd_seeded { rd_resp_concurrent 10 [expr {[rd_sanitized] ? 8 : 12}] }
                    # the generator reached both outcomes of the refusal check
                    assert {$refused > 0}
                    if {$::verbose && $::rd_fwd} { puts "forwarded commands answered: $::rd_fwd_ok" }
                    if {$::rd_fwd && $::rd_n >= 5000} {
                        foreach name $::rd_fwd_core {
                            if {![dict exists $::rd_fwd_ok $name]} {
                                fail "[rd_replay]: no $name answered (only errors or empty replies)"
                            }
                        }
                    }
                    $px close
                    $ref close
                }
            }
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# ============================================================ Memcached ===

set ::rd_mkeys {}
for {set i 0} {$i < 16} {incr i} { lappend ::rd_mkeys mk$i }
lappend ::rd_mkeys [string repeat L 250] n1 n2

proc rd_mkey {} { rd_pick $::rd_mkeys }

# Numbers stay below 2^63: memcached's incr/decr takes a stored number of
# 2^63 or more as non-numeric when a '-' follows it anywhere in memory (it
# runs strchr over the unterminated value), so the reply for such a value
# depends on what the node's memory holds after the item.
proc rd_mval {} {
    switch -- [rd_int 0 9] {
        0 - 1 { return [rd_int 0 1000] }
        2 { return [rd_pick {9223372036854775806 abc " 5" {} 01 -1}] }
        3 { return [randstring 1000 4000 binary] }
        default { return [randstring 0 200 binary] }
    }
}

proc rd_mexp {} { rd_pick {0 0 0 1000 -1} }

# A storage command; cas takes the CAS unique this connection last saw
# for the key (@CAS@, filled in per connection) or a stale one.
proc rd_mc_store {{keyfn rd_mkey} {noreply_p 0.15}} {
    set k [{*}$keyfn]
    set v [rd_mval]
    set verb [rd_pick {set set set add replace append prepend cas}]
    set line "$verb $k [rd_pick [list 0 0 [rd_int 1 65535] 4294967295]] [rd_mexp] [string length $v]"
    if {$verb eq "cas"} { append line [expr {[rd_chance 0.8] ? " @CAS@$k@" : " 999999999"}] }
    if {[rd_chance $noreply_p]} { append line " noreply" }
    return "$line\r\n$v\r\n"
}

# gat/gats lines stay under 2048 bytes: memcached (and the proxy, which
# does as it does) closes the connection when such a line is not complete
# in its first 2048 bytes read, only get/gets lines may be longer, so
# the outcome would depend on how the bytes are read.
proc rd_mc_getline {keys} {
    set verb [rd_pick {get get gets gat gats}]
    if {$verb in {gat gats}} {
        set verb "$verb [rd_mexp]"
        while {[string length [join $keys]] > 1900} { set keys [lrange $keys 0 end-10] }
    }
    return "$verb [join $keys]\r\n"
}

# A meta command's key: now and then base64 with the b flag (the proxy
# routes by the decoded key, which a classic command names plainly).
proc rd_mc_meta {} {
    set k [rd_mkey]
    set cmd [rd_mc_meta_cmd $k]
    if {[rd_chance 0.1]} {
        regexp {^(\S+) (\S+)(.*)$} $cmd -> verb key rest
        set cmd "$verb [binary encode base64 $k] b$rest"
    }
    return $cmd
}

proc rd_mc_meta_cmd {k} {
    switch -- [rd_int 0 4] {
        0 - 1 {
            set f {}
            foreach x {v f s k c t h O123 q} { if {[rd_chance 0.4]} { lappend f $x } }
            if {"c" in $f && "k" ni $f} { lappend f k }
            if {[rd_chance 0.1]} { lappend f T[rd_pick {0 1000 -1}] }
            if {[rd_chance 0.05]} { lappend f N30 }
            return "mg $k [join $f]\r\n"
        }
        2 {
            set v [rd_mval]
            set f {}
            foreach x {T1000 F7 I q c k O9} { if {[rd_chance 0.2]} { lappend f $x } }
            if {[rd_chance 0.3]} { lappend f M[rd_pick {E A P R S}] }
            if {[rd_chance 0.2]} { lappend f C@CAS@$k@ }
            return "ms $k [string length $v] [join $f]\r\n$v\r\n"
        }
        3 {
            set f {}
            foreach x {q I T30 k O5} { if {[rd_chance 0.2]} { lappend f $x } }
            if {[rd_chance 0.15]} { lappend f C@CAS@$k@ }
            return "md $k [join $f]\r\n"
        }
        default {
            set f {}
            foreach x {v t c k q N0 J13 D5 MD MI} { if {[rd_chance 0.25]} { lappend f $x } }
            if {"c" in $f && "k" ni $f} { lappend f k }
            return "ma $k [join $f]\r\n"
        }
    }
}

proc rd_gen_mc {} {
    set r [expr {rand()}]
    if {$r < 0.35} { return [rd_mc_store] }
    if {$r < 0.60} {
        set keys {}
        for {set i [rd_int 1 [rd_pick {3 10 30 30 30 300}]]} {$i > 0} {incr i -1} {
            lappend keys [expr {[rd_chance 0.2] ? "miss[rd_int 0 99]" : [rd_mkey]}]
        }
        return [rd_mc_getline $keys]
    }
    if {$r < 0.66} { return "[rd_pick {incr decr}] [rd_mkey] [rd_pick {1 5 0 1000 x -1 18446744073709551616}][expr {[rd_chance 0.15] ? { noreply} : {}}]\r\n" }
    if {$r < 0.71} { return "delete [rd_mkey][expr {[rd_chance 0.15] ? { noreply} : {}}]\r\n" }
    if {$r < 0.75} { return "touch [rd_mkey] [rd_mexp][expr {[rd_chance 0.15] ? { noreply} : {}}]\r\n" }
    if {$r < 0.97} { return [rd_mc_meta] }
    if {$r < 0.99} { return [rd_pick {"bogus\r\n" "mn\r\n" "get\r\n" "incr\r\n"}] }
    return "flush_all[expr {[rd_chance 0.5] ? { noreply} : {}}]\r\n"
}

# Fill in the CAS uniques this connection (conn) saw.
proc rd_mc_fill {conn text} {
    while {[regexp {@CAS@([^@ ]+)@} $text -> k]} {
        set cas [expr {[info exists ::rd_cas($conn,$k)] ? $::rd_cas($conn,$k) : 12345678}]
        set text [string map [list "@CAS@$k@" $cas] $text]
    }
    return $text
}

# A value as compared: memcached may leave an incr/decr result that got
# shorter space-padded in place (protocol.txt: "The number MAY be
# space-padded at the end ... you also shouldn't rely on that"); it does so
# only when no other request holds the item, e.g. a pipelined get's reply
# still being written, so the padding depends on timing. Spaces after a
# digit are dropped on both sides.
proc rd_mc_unpad {data} {
    regsub -all {([0-9]) +} $data {\1} data
    return $data
}

# One reply unit (a line, or a line and its data block) whose line was
# read: CAS uniques seen are recorded for conn, then normalised (and meta
# TTLs, which tick, the fetched bit h, and value sizes, see rd_mc_unpad).
proc rd_mc_unit {conn c line} {
    set data {}
    set w [split $line " "]
    switch -- [lindex $w 0] {
        VALUE {
            set data [rd_mc_unpad [$c read_bytes [expr {[lindex $w 3] + 2}]]]
            lset w 3 [expr {[string length $data] - 2}]
            if {[llength $w] == 5} {
                set ::rd_cas($conn,[lindex $w 1]) [lindex $w 4]
                lset w 4 <cas>
            }
        }
        VA - HD - EN - NF - NS - EX {
            if {[lindex $w 0] eq "VA"} {
                set data [rd_mc_unpad [$c read_bytes [expr {[lindex $w 1] + 2}]]]
                lset w 1 [expr {[string length $data] - 2}]
            }
            set key {}
            set cas {}
            for {set i 1} {$i < [llength $w]} {incr i} {
                set t [lindex $w $i]
                if {[regexp {^k(.+)$} $t -> key]} { continue }
                if {[regexp {^c[0-9]+$} $t]} { set cas [string range $t 1 end]; lset w $i c<cas> }
                if {[regexp {^t[0-9]+$} $t]} { lset w $i t<ttl> }
                # the fetched bit: memcached's incr/decr/ma rewrites the
                # value in place, keeping the bit, only when no other
                # request holds the item; otherwise it stores a new item
                # whose bit is clear, so after an arithmetic command h
                # depends on timing (seen as h1 against h0 on seed
                # 136714085). Its presence is still compared.
                if {[regexp {^h[01]$} $t]} { lset w $i h<hit> }
                if {[regexp {^s[0-9]+$} $t]} {
                    lset w $i [expr {$data eq {} ? "s<size>" : "s[expr {[string length $data] - 2}]"}]
                }
            }
            if {$key ne {} && $cas ne {}} { set ::rd_cas($conn,$key) $cas }
        }
    }
    return "[join $w { }]\r\n$data"
}

# Units up to the nth MN line (the MNs before it are units too).
proc rd_mc_units_to_mn {conn c n} {
    set units {}
    for {set guard 0} {$guard < 100000} {incr guard} {
        set line [$c read_line]
        if {$line eq "MN" && [incr n -1] == 0} { return $units }
        lappend units [rd_mc_unit $conn $c $line]
    }
    fail "no MN after 100000 replies"
}

# The batch as sent through the proxy: the commands, then mn.
proc rd_mc_batch_bytes {conn cmds} {
    set b {}
    foreach c $cmds { append b [rd_mc_fill $conn $c] }
    return "${b}mn\r\n"
}

proc rd_mc_mns {cmd} { expr {$cmd eq "mn\r\n" ? 2 : 1} }

# Through the proxy: the batch's replies, one list.
proc rd_mc_px_batch {conn c cmds split} {
    rd_send [$c fd] [rd_mc_batch_bytes $conn $cmds] $split
    set n 1
    foreach cmd $cmds { incr n [expr {[rd_mc_mns $cmd] - 1}] }
    return [rd_mc_units_to_mn $conn $c $n]
}

# On the reference: the same batch in one write, but an mn after each
# command, so each reply is known to be its command's (a no-op for the
# node): a list of unit lists, one per command.
proc rd_mc_ref_batch {conn c cmds} {
    set b {}
    foreach cmd $cmds { append b [rd_mc_fill $conn $cmd] "mn\r\n" }
    rd_send [$c fd] $b 0
    set out {}
    foreach cmd $cmds { lappend out [rd_mc_units_to_mn $conn $c [rd_mc_mns $cmd]] }
    return $out
}

# Fails at the first unit that differs between the proxy's replies
# (mine, flat) and the reference's (per command), naming the command.
proc rd_mc_compare {where cmds mine theirs} {
    set flat [concat {*}$theirs]
    set n [expr {max([llength $mine], [llength $flat])}]
    for {set i 0} {$i < $n} {incr i} {
        if {[lindex $mine $i] eq [lindex $flat $i]} { continue }
        set at 0
        set ci 0
        foreach units $theirs {
            if {$at + [llength $units] > $i} { break }
            incr at [llength $units]
            incr ci
        }
        if {$ci >= [llength $cmds]} { set ci [expr {[llength $cmds] - 1}] }
        set list {}
        for {set k [expr {max(0, $ci - 4)}]} {$k <= $ci} {incr k} {
            append list "\n    #$k [rd_show [lindex $cmds $k] 120]\n        reference:"
            foreach u [lindex $theirs $k] { append list " [rd_show $u 80]" }
        }
        fail "$where ([llength $cmds] commands), [rd_replay]: reply #$i differs,\
            command #$ci [rd_show [lindex $cmds $ci] 200]\n  proxy:\
            [rd_show [lindex $mine $i]]\n  reference: [rd_show [lindex $flat $i]]\n \
            the commands up to it:$list"
    }
}

proc rd_mc_run {px ref n} {
    set done 0
    set batchno 0
    while {$done < $n} {
        incr batchno
        set cmds {}
        for {set i [rd_int 1 50]} {$i > 0 && $done < $n} {incr i -1; incr done} {
            lappend cmds [rd_gen_mc]
        }
        set mine [rd_mc_px_batch px $px $cmds [rd_chance 0.25]]
        rd_mc_compare "memcached: batch $batchno" $cmds $mine [rd_mc_ref_batch ref $ref $cmds]
    }
    # what the sequence left behind, key by key
    set cmds {}
    foreach k $::rd_mkeys { lappend cmds "mg $k v f\r\n" }
    set mine [rd_mc_px_batch px $px $cmds 0]
    rd_mc_compare "memcached: the keys after the sequence" $cmds $mine \
        [rd_mc_ref_batch ref $ref $cmds]
}

# ---- many clients at once: joined gets ----

# A client's command: gets over the shared keys (read-only in this phase,
# so any interleaving reads the same) mixed with its own keys, which only
# it writes.
proc rd_mc_conc_cmd {ci} {
    set own [list c$ci:a c$ci:b c$ci:c]
    set r [expr {rand()}]
    if {$r < 0.25} {
        set ::rd_ownkey [rd_pick $own]
        return [rd_mc_store {set ::rd_ownkey} 0.1]
    }
    if {$r < 0.35} {
        return [expr {[rd_chance 0.5] ? "incr [rd_pick $own] 1\r\n" : "delete [rd_pick $own]\r\n"}]
    }
    set keys {}
    for {set i [rd_int 1 [rd_pick {1 2 5 20}]]} {$i > 0} {incr i -1} {
        set p [expr {rand()}]
        lappend keys [expr {$p < 0.6 ? [rd_mkey] : $p < 0.8 ? [rd_pick $own] : "miss[rd_int 0 9]"}]
    }
    if {$r < 0.95} { return "[rd_pick {get get gets}] [join $keys]\r\n" }
    return "mg [rd_mkey] v k\r\n"
}

proc rd_mc_concurrent {nclients rounds} {
    set pxs {}
    set refs {}
    for {set i 0} {$i < $nclients} {incr i} {
        lappend pxs [mc_client 127.0.0.1 [srv port]]
        lappend refs [mc_client 127.0.0.1 [mc_oracle_srv port]]
    }
    # the shared keys start the same on both sides, whatever the first
    # part left
    set cmds [list "flush_all\r\n"]
    set c [lindex $pxs 0]
    foreach k $::rd_mkeys {
        set v [rd_mval]
        lappend cmds "set $k [rd_int 0 9] 0 [string length $v]\r\n$v\r\n"
    }
    rd_mc_compare "memcached, $nclients clients: the shared keys" $cmds \
        [rd_mc_px_batch px $c $cmds 0] [rd_mc_ref_batch ref [lindex $refs 0] $cmds]
    set joined0 [proxy_stat rdiff gets_joined]
    for {set round 1} {$round <= $rounds} {incr round} {
        set batches {}
        for {set i 0} {$i < $nclients} {incr i} {
            set cmds {}
            for {set j [rd_int 1 20]} {$j > 0} {incr j -1} { lappend cmds [rd_mc_conc_cmd $i] }
            lappend batches $cmds
        }
        # every client's batch is out before any reply is read
        set mines {}
        foreach c $pxs cmds $batches {
            rd_send [$c fd] [rd_mc_batch_bytes px$c $cmds] [rd_chance 0.1]
        }
        foreach c $pxs cmds $batches {
            set n 1
            foreach cmd $cmds { incr n [expr {[rd_mc_mns $cmd] - 1}] }
            lappend mines [rd_mc_units_to_mn px$c $c $n]
        }
        set i 0
        foreach c $refs cmds $batches mine $mines {
            rd_mc_compare "memcached, $nclients clients: round $round, client $i" \
                $cmds $mine [rd_mc_ref_batch ref$c $c $cmds]
            incr i
        }
    }
    foreach c [concat $pxs $refs] { $c close }
    # the proxy did join gets of different clients
    wait_for_condition 50 20 {[proxy_stat rdiff gets_joined] > $joined0} else {
        fail "no get was joined ([proxy_stat rdiff gets_joined])"
    }
}

proc rd_mc_part {part} {
    set nodes [proxy_nodes memcached 3]
    try {
        start_oracle_memcached {
            start_proxy [proxy_yaml rdiff memcache $nodes hash md5 timeout 5000] {
                test "randdiff memcached: $::rd_n random commands, proxy over 3 memcached\
                        = one memcached" {
                    rd_srand $part
                    array unset ::rd_cas
                    set px [mc_client 127.0.0.1 [srv port]]
                    set ref [mc_client 127.0.0.1 [mc_oracle_srv port]]
                    rd_seeded { rd_mc_run $px $ref $::rd_n }
                    $px close
                    $ref close
                }
                test "randdiff memcached: 20 clients interleaved (joined gets) = one memcached" {
                    rd_srand [expr {$part + 1}]
                    rd_seeded { rd_mc_concurrent 20 [expr {[rd_sanitized] ? 10 : 30}] }
                }
            }
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# ======================================= cases the random runs found ===

proc rd_regressions {} {
    set nodes [proxy_nodes redis 2]
    try {
        start_proxy [proxy_yaml rdiff redis $nodes hash murmur hash_tag "\"{}\"" timeout 5000] {
            test "randdiff case: an inline blocking command behind requests in flight" {
                # it waits for the SET and is parsed again then: the inline
                # splitter had unquoted its line in place, so the second
                # parse read it as one unknown command 'BLPOP{a}1{a}20.01'
                set c [new_client]
                $c raw "*3\r\n\$3\r\nset\r\n\$1\r\nx\r\n\$1\r\n1\r\nBLPOP {a}1 \"{a}2\" 0.01\r\nPING\r\n"
                assert_equal [$c read_raw] "+OK\r\n"
                assert_equal [$c read_raw] "*-1\r\n"
                assert_equal [$c read_raw] "+PONG\r\n"
                $c raw "rpush {a}2 v\r\nblpop {a}1 '{a}2' 0.01\r\n"
                assert_equal [$c read_raw] ":1\r\n"
                assert_equal [$c read_raw] "*2\r\n\$4\r\n{a}2\r\n\$1\r\nv\r\n"
                $c close
            }
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

rd_regressions
rd_resp_part 1 redis 3
rd_resp_part 2 shoal-resp 2
rd_mc_part 3
