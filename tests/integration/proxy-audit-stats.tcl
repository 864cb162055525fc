# tests/integration/proxy-audit-stats.tcl: the stats port against Debian's
# nutcracker. The same YAML (a RESP pool and a Memcached pool, named and
# unnamed servers) and the same traffic go through nutcracker and through
# shoal-proxy; at every level of the JSON (top, pool, server) every key
# nutcracker reports must be in shoal-proxy's, numeric where nutcracker's
# is, and the request and response counts per server must agree.

source [file join [file dirname $::test_file_path] proxy-common.inc]

proc ::harness::nc_stats_argv {yaml stats port dir} {
    set f [open [file join $dir nutcracker.yml] w]
    puts -nonewline $f [string map [list @LISTEN@ 127.0.0.1:$port] $yaml]
    close $f
    return [list /usr/sbin/nutcracker -c [file join $dir nutcracker.yml] -s $stats \
        -a 127.0.0.1 -i 100 -o [file join $dir stdout.log]]
}

proc stats_json_at {port} {
    set s [socket 127.0.0.1 $port]
    fconfigure $s -translation binary
    set text [read $s]
    close $s
    set i 0
    return [::harness::json_value $text i]
}

# The same traffic for either proxy: RESP on port, Memcached on mcport.
proc stats_traffic {port mcport} {
    set r [resp_client 127.0.0.1 $port]
    for {set i 0} {$i < 30} {incr i} { $r set st:$i $i }
    for {set i 0} {$i < 30} {incr i} { $r get st:$i }
    $r close
    set m [mc_client 127.0.0.1 $mcport]
    for {set i 0} {$i < 20} {incr i} { $m cmd "set sm:$i 0 0 1\r\nx" }
    $m close
}

test {stats JSON: nutcracker's keys at every level, numeric alike, same per-server counts} {
    set rn [proxy_nodes redis 2]
    set mn [proxy_nodes memcached 2]
    try {
        set mcport [find_available_port]
        set y "rpool:\n  listen: @LISTEN@\n  redis: true\n  hash: fnv1a_64\n  servers:\n"
        append y "   - [dict get [lindex $rn 0] addr]:1\n   - [dict get [lindex $rn 1] addr]:1 named\n"
        append y "mpool:\n  listen: 127.0.0.1:$mcport\n  hash: md5\n  servers:\n"
        append y "   - [dict get [lindex $mn 0] addr]:1\n   - [dict get [lindex $mn 1] addr]:2\n"
        set stats [find_available_port]
        set spec [dict create binary /usr/sbin/nutcracker name nutcracker ready {} \
            argv_fn [list ::harness::nc_stats_argv $y $stats]]
        set nc [::harness::launch $spec]
        try {
            wait_for_condition 100 20 {![catch {close [socket 127.0.0.1 $mcport]}]} else {
                fail "nutcracker's memcache pool did not listen"
            }
            stats_traffic [dict get $nc port] $mcport
            # nutcracker aggregates every -i 100 ms
            wait_for_condition 100 20 {
                [dict get [stats_json_at $stats] rpool named requests] +
                [dict get [stats_json_at $stats] rpool [dict get [lindex $rn 0] addr] requests] == 60
            } else { fail "nutcracker's stats did not count the requests" }
            after 300
            set theirs [stats_json_at $stats]
        } finally {
            ::harness::finish $nc
        }
        set y2 [string map [list 127.0.0.1:$mcport @LISTEN2@] $y]
        start_proxy $y2 {
            stats_traffic [srv port] [srv listen2]
            wait_for_condition 100 20 {
                [proxy_stat mpool requests] == 20 && [proxy_stat rpool requests] == 60
            } else { fail "shoal-proxy's stats did not count the requests" }
            set mine [proxy_stats]
        }
        set problems {}
        foreach k [dict keys $theirs] {
            if {![dict exists $mine $k]} { lappend problems "top: no $k"; continue }
            set tv [dict get $theirs $k]
            if {[string is double -strict $tv] && ![string is double -strict [dict get $mine $k]]} {
                lappend problems "top: $k not numeric"
            }
        }
        foreach pool {rpool mpool} {
            foreach k [dict keys [dict get $theirs $pool]] {
                if {![dict exists $mine $pool $k]} { lappend problems "$pool: no $k"; continue }
                set tv [dict get $theirs $pool $k]
                if {[string is double -strict $tv]} {
                    if {![string is double -strict [dict get $mine $pool $k]]} {
                        lappend problems "$pool: $k not numeric"
                    }
                    continue
                }
                # a server: its fields, and the same counts for the same traffic
                foreach f [dict keys $tv] {
                    if {![dict exists $mine $pool $k $f]} { lappend problems "$pool $k: no $f"; continue }
                    if {![string is double -strict [dict get $mine $pool $k $f]]} {
                        lappend problems "$pool $k: $f not numeric"
                    }
                }
                foreach f {requests responses request_bytes response_bytes server_connections} {
                    set a [dict get $tv $f]
                    set b [dict get $mine $pool $k $f]
                    if {$a != $b} { lappend problems "$pool $k $f: nutcracker $a, shoal-proxy $b" }
                }
            }
        }
        assert_equal $problems {}
        # the servers are keyed alike, nothing more and nothing less
        foreach pool {rpool mpool} {
            set ts [lsort [lmap k [dict keys [dict get $theirs $pool]] {
                expr {[string is double -strict [dict get $theirs $pool $k]] ? [continue] : $k}
            }]]
            set ms [lsort [lmap k [dict keys [dict get $mine $pool]] {
                expr {[llength [dict get $mine $pool $k]] > 1 && [dict exists $mine $pool $k server_eof] ? $k : [continue]}
            }]]
            assert_equal $ms $ts
        }
    } finally {
        proxy_stop_nodes $rn
        proxy_stop_nodes $mn
    }
}
