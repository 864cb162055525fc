# tests/integration/persist-rdb.tcl: snapshots. SAVE/BGSAVE/LASTSAVE and
# restarts keep every type, TTL and memcached flags; redis-check-rdb accepts
# what Shoal writes and a real redis-server loads it to the same data and
# TTLs; Shoal loads what redis-server 7.0 writes (its compact encodings,
# LZF and integer strings); damaged files are refused; save points and
# SHUTDOWN save as Redis does.

source [file join [file dirname [info script]] persist-common.inc]

proc check_rdb {path} {
    set rc [catch {exec redis-check-rdb $path} out]
    if {$rc != 0 || ![string match "*RDB looks OK*" $out]} {
        fail "redis-check-rdb refused $path:\n$out"
    }
    return $out
}

test {SAVE then restart keeps every type, TTLs and databases} {
    set dir [::harness::new_dir rdb]
    set srv [persist_start $dir]
    set c [dict get $srv client]
    set types [persist_types $c]
    persist_fill $c $types
    set before [persist_dump $c]
    assert_equal [$c save] OK
    assert_equal [persist_info $c rdb_changes_since_last_save] 0
    assert_range [expr {[clock seconds] - [$c lastsave]}] 0 5
    persist_stop $srv
    check_rdb [file join $dir dump.rdb]
    set srv [persist_start $dir]
    set c [dict get $srv client]
    assert_equal [persist_dump $c] $before
    assert_equal [persist_info $c rdb_last_load_keys_loaded] [llength $before]
    # encodings follow the thresholds again after loading
    assert_equal [$c object encoding h:big] hashtable
    assert_equal [$c object encoding h:small] listpack
    assert_equal [$c object encoding s:int] intset
    assert_equal [$c object encoding s:bigint] hashtable
    assert_equal [$c object encoding z:big] skiplist
    assert_equal [$c object encoding z:small] listpack
    persist_stop $srv
}

test {memcached flags and exptime survive a snapshot; redis ignores them} {
    set dir [::harness::new_dir rdb]
    set mport [find_available_port]
    set srv [persist_start $dir --mc-port $mport]
    set m [mc_client 127.0.0.1 $mport]
    $m sendline "set mk1 4294967295 0 5"
    $m sendline "hello"
    assert_equal [$m read_line] STORED
    $m sendline "set mk2 7 3600 3"
    $m sendline "abc"
    assert_equal [$m read_line] STORED
    $m sendline "set mk0 0 0 1"
    $m sendline "z"
    assert_equal [$m read_line] STORED
    set c [dict get $srv client]
    set ttl [$c pexpiretime mk2]
    assert_equal [$c bgsave] {Background saving started}
    wait_for_condition 200 50 {[persist_info $c rdb_bgsave_in_progress] == 0} else { fail "BGSAVE did not end" }
    assert_equal [persist_info $c rdb_last_bgsave_status] ok
    $m close
    persist_stop $srv
    set out [check_rdb [file join $dir dump.rdb]]
    assert_match "*shoal-mcflags*" $out
    set srv [persist_start $dir --mc-port $mport]
    set m [mc_client 127.0.0.1 $mport]
    $m sendline "get mk1 mk2 mk0"
    assert_equal [$m read_until END] "VALUE mk1 4294967295 5\r\nhello\r\nVALUE mk2 7 3\r\nabc\r\nVALUE mk0 0 1\r\nz\r\nEND\r\n"
    assert_equal [[dict get $srv client] pexpiretime mk2] $ttl
    $m close
    persist_stop $srv
    # a real redis-server reads the same file as plain strings
    set rsrv [persist_start_redis $dir]
    set rc [dict get $rsrv client]
    assert_equal [$rc get mk1] hello
    assert_equal [$rc pexpiretime mk2] $ttl
    persist_stop $rsrv
}

test {redis-server 7.0 loads Shoal's snapshot to the same data and TTLs} {
    foreach compression {yes no} {
        set dir [::harness::new_dir rdb]
        set srv [persist_start $dir --rdbcompression $compression]
        set c [dict get $srv client]
        persist_fill $c [persist_types $c]
        set before [persist_dump $c]
        assert_equal [$c save] OK
        persist_stop $srv
        check_rdb [file join $dir dump.rdb]
        set rsrv [persist_start_redis $dir]
        assert_equal [persist_dump [dict get $rsrv client]] $before
        persist_stop $rsrv
    }
}

test {Shoal loads redis-server 7.0's dump.rdb: listpack, intset, hashtable, skiplist, LZF, integers} {
    set dir [::harness::new_dir rdb]
    set rsrv [persist_start_redis $dir]
    set rc [dict get $rsrv client]
    # the types Shoal has now; sizes on both sides of every threshold
    set srv0 [persist_start [::harness::new_dir rdb]]
    set types [persist_types [dict get $srv0 client]]
    persist_stop $srv0
    persist_fill $rc $types
    $rc set intkey 42
    $rc set bigcompressible [string repeat abcdef 3000]
    $rc set expired v px 1
    after 5
    set before [persist_dump $rc]
    assert_equal [$rc object encoding s:int] intset
    assert_equal [$rc object encoding h:small] listpack
    assert_equal [$rc object encoding z:small] listpack
    assert_equal [$rc save] OK
    persist_stop $rsrv
    set srv [persist_start $dir]
    set c [dict get $srv client]
    assert_equal [persist_dump $c] $before
    assert_equal [$c object encoding s:int] intset
    assert_equal [$c object encoding h:small] listpack
    assert_equal [$c object encoding h:big] hashtable
    persist_stop $srv
}

test {BGSAVE serves writes meanwhile; LASTSAVE and INFO follow} {
    set dir [::harness::new_dir rdb]
    set srv [persist_start $dir]
    set c [dict get $srv client]
    for {set i 0} {$i < 20000} {incr i} { $c set k$i [string repeat v 50] }
    set last [$c lastsave]
    assert_equal [$c bgsave] {Background saving started}
    assert_error {*already in progress*} {$c bgsave}
    assert_error {*already in progress*} {$c save}
    # the node keeps serving while the child writes
    for {set i 0} {$i < 100} {incr i} { $c set during$i x }
    wait_for_condition 400 50 {[persist_info $c rdb_bgsave_in_progress] == 0} else { fail "BGSAVE did not end" }
    assert_equal [persist_info $c rdb_last_bgsave_status] ok
    assert_equal [persist_info $c rdb_saves] 1
    # what changed during the save is still pending
    assert_range [persist_info $c rdb_changes_since_last_save] 1 100
    assert {[$c lastsave] >= $last}
    assert_range [get_info_field [$c info stats] total_forks] 1 1
    persist_stop $srv
    check_rdb [file join $dir dump.rdb]
}

test {save points trigger a background save; SHUTDOWN and SIGTERM save with them, NOSAVE does not} {
    set dir [::harness::new_dir rdb]
    set srv [persist_start $dir --save "1 3"]
    set c [dict get $srv client]
    assert_equal [$c config get save] {save {1 3}}
    $c set a 1
    $c set b 2
    $c set c 3
    wait_for_condition 100 50 {[persist_info $c rdb_saves] >= 1} else { fail "no save after the save point" }
    wait_for_condition 100 50 {[persist_info $c rdb_bgsave_in_progress] == 0} else { fail "BGSAVE did not end" }
    $c set d 4
    persist_stop $srv   ;# SIGTERM with save points: saves first
    set srv [persist_start $dir]
    set c [dict get $srv client]
    assert_equal [$c get d] 4
    $c set e 5
    catch {$c shutdown nosave}
    after 100
    set srv2 [persist_start $dir]
    assert_equal [[dict get $srv2 client] get e] {}
    [dict get $srv2 client] set f 6
    catch {[dict get $srv2 client] shutdown save}
    set srv3 [persist_start $dir]
    assert_equal [[dict get $srv3 client] get f] 6
    persist_stop $srv3
}

test {config file save lines add up; save "" clears them} {
    set dir [::harness::new_dir rdb]
    set conf [file join $dir shoal.conf]
    set fd [open $conf w]
    puts $fd "save 900 1\nsave 300 10\nsave 60 10000"
    close $fd
    set spec [dict create binary $::server_binary name persist ready "Ready to accept connections" \
        argv_fn [list ::harness::redis_argv $::server_binary $conf [list --dir $dir --mc-port 0]]]
    set srv [::harness::launch $spec]
    set c [resp_client 127.0.0.1 [dict get $srv port]]
    assert_equal [$c config get save] {save {900 1 300 10 60 10000}}
    $c config set save ""
    assert_equal [$c config get save] {save {}}
    assert_error {*Invalid save parameters*} {$c config set save "1 2 3"}
    assert_error {*can't be a path*} {$c config set dbfilename a/b}
    $c close
    ::harness::finish $srv
}

test {a damaged or truncated snapshot stops the node with a message} {
    set dir [::harness::new_dir rdb]
    set srv [persist_start $dir --rdbcompression no]
    set c [dict get $srv client]
    for {set i 0} {$i < 100} {incr i} { $c set key$i [string repeat x $i] }
    $c save
    persist_stop $srv
    set path [file join $dir dump.rdb]
    set good [read_file_bytes $path]
    # a flipped byte inside a value: only the checksum can tell
    set i [expr {[string first [string repeat x 90] $good] + 10}]
    set bad [string replace $good $i $i [format %c [expr {([scan [string index $good $i] %c] + 1) % 256}]]]
    set fd [open $path w]; fconfigure $fd -translation binary; puts -nonewline $fd $bad; close $fd
    assert_match "*Wrong RDB checksum*" [persist_start_fails $dir]
    # cut short
    set fd [open $path w]; fconfigure $fd -translation binary
    puts -nonewline $fd [string range $good 0 end-100]; close $fd
    assert_match "*unexpected end of file*offset*" [persist_start_fails $dir]
    # the good file loads again
    set fd [open $path w]; fconfigure $fd -translation binary; puts -nonewline $fd $good; close $fd
    set srv [persist_start $dir]
    assert_equal [[dict get $srv client] dbsize] 100
    persist_stop $srv
}
