# tests/helpers/diff.tcl: differential testing against the real peers.
#
#   start_oracle_redis {overrides} {body}   Debian redis-server; `oracle` is
#                                           its client, `oracle_srv port` etc.
#   assert_same {cmd args...} ?mask?        same command to `r` and `oracle`,
#                                           one raw reply each, byte-compared
#   assert_same_raw bytes ?nreplies? ?mask? raw input on fresh connections to
#                                           both; nreplies may be "eof"
#   start_oracle_memcached ?{args}? {body}  /usr/bin/memcached; `mc_oracle` is
#                                           an mc_client for it
#
# A mask is a regexp; every match is replaced by "<masked>" in both replies
# before comparing, for values that legitimately differ (run ids, times).
# Oracles live on their own stack so `r`/`srv` keep meaning the server
# under test inside an oracle's body.

namespace eval ::harness {
    variable oracles {}
    variable mc_oracles {}
}

proc ::harness::oracle_servers {} {
    return [concat $::harness::oracles $::harness::mc_oracles]
}

proc ::harness::run_with_server {stackvar srv body} {
    upvar #0 $stackvar stack
    lappend stack $srv
    try {
        uplevel 2 $body
    } finally {
        set stack [lrange $stack 0 end-1]
        ::harness::finish $srv
    }
}

# start_oracle_redis {overrides} {body}: overrides as for start_server
# (directive value pairs and `args`); persistence is off by default.
proc start_oracle_redis {overrides body} {
    set extra {--save {} --appendonly no}
    foreach {k v} $overrides {
        if {$k eq "args"} { lappend extra {*}$v } else { lappend extra --$k $v }
    }
    set spec [dict create binary $::oracle_redis name oracle-redis \
        ready "Ready to accept connections" \
        argv_fn [list ::harness::redis_argv $::oracle_redis {} $extra]]
    set srv [::harness::launch $spec]
    if {[catch {resp_client 127.0.0.1 [dict get $srv port]} c]} {
        ::harness::finish $srv
        error "oracle redis refuses clients: $c"
    }
    dict set srv client $c
    ::harness::run_with_server ::harness::oracles $srv $body
}

proc oracle_srv {prop} {
    if {![llength $::harness::oracles]} { error "oracle_srv: no oracle running" }
    return [dict get [lindex $::harness::oracles end] $prop]
}

proc oracle {args} {
    tailcall [oracle_srv client] {*}$args
}

proc ::harness::memcached_argv {binary extra port dir} {
    set argv [list $binary -l 127.0.0.1 -p $port -U 0]
    if {$::tcl_platform(user) eq "root"} { lappend argv -u root }
    return [concat $argv $extra]
}

# start_oracle_memcached ?{extra memcached flags}? {body}
proc start_oracle_memcached {args} {
    if {[llength $args] ni {1 2}} {
        error "usage: start_oracle_memcached ?{flags}? {body}"
    }
    set body [lindex $args end]
    set extra [expr {[llength $args] == 2 ? [lindex $args 0] : {}}]
    set spec [dict create binary $::oracle_memcached name memcached ready {} \
        argv_fn [list ::harness::memcached_argv $::oracle_memcached $extra]]
    set srv [::harness::launch $spec]
    if {[catch {mc_client 127.0.0.1 [dict get $srv port]} c]} {
        ::harness::finish $srv
        error "oracle memcached refuses clients: $c"
    }
    dict set srv mc $c
    ::harness::run_with_server ::harness::mc_oracles $srv $body
}

proc mc_oracle_srv {prop} {
    if {![llength $::harness::mc_oracles]} { error "no memcached oracle running" }
    return [dict get [lindex $::harness::mc_oracles end] $prop]
}

proc mc_oracle {args} {
    tailcall [mc_oracle_srv mc] {*}$args
}

proc ::harness::compare_replies {what mine theirs mask} {
    set a $mine
    set b $theirs
    if {$mask ne {}} {
        regsub -all -- $mask $a <masked> a
        regsub -all -- $mask $b <masked> b
    }
    if {$a ne $b} {
        fail "$what: replies differ\n  server: '[resp_escape $mine]'\n \
            oracle: '[resp_escape $theirs]'[expr {$mask ne {} ? "\n  mask: $mask" : {}}]"
    }
    return $mine
}

# assert_same {cmd args...} ?mask?: returns the server's raw reply.
proc assert_same {cmd {mask {}}} {
    set bytes [resp_encode $cmd]
    set mine [::harness::exchange [srv 0 client] $bytes 1]
    set theirs [::harness::exchange [oracle_srv client] $bytes 1]
    return [::harness::compare_replies "assert_same {$cmd}" $mine $theirs $mask]
}

proc ::harness::exchange {client bytes nreplies} {
    $client raw $bytes
    if {$nreplies eq "eof"} { return [$client read_eof] }
    set out {}
    for {set i 0} {$i < $nreplies} {incr i} {
        append out [$client read_raw]
    }
    return $out
}

# assert_same_raw bytes ?nreplies? ?mask?: fresh connections, so protocol
# errors that close the connection do not disturb `r` and `oracle`.
proc assert_same_raw {bytes {nreplies 1} {mask {}}} {
    set a [resp_client [srv host] [srv port]]
    set b [resp_client [oracle_srv host] [oracle_srv port]]
    try {
        set mine [::harness::exchange $a $bytes $nreplies]
        set theirs [::harness::exchange $b $bytes $nreplies]
    } finally {
        $a close
        $b close
    }
    return [::harness::compare_replies "assert_same_raw '[resp_escape $bytes]'" \
        $mine $theirs $mask]
}
