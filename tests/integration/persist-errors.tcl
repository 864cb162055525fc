# tests/integration/persist-errors.tcl: persistence that cannot write. A
# snapshot that cannot be put in place (dbfilename is a directory) and an
# AOF that cannot grow (a file size limit: write(2) fails with EFBIG, which
# works the same for root, where a read-only directory would not) are
# logged, shown in INFO, and make the node refuse writes with Redis's
# -MISCONF texts until persistence works again; the node never crashes.

source [file join [file dirname [info script]] persist-common.inc]

# A script that starts shoal-server with its files limited to `bytes`.
proc limited_binary {dir bytes} {
    set path [file join $dir limited-shoal.sh]
    set fd [open $path w]
    puts $fd "#!/bin/sh\nexec prlimit --fsize=$bytes -- $::server_binary \"\$@\""
    close $fd
    file attributes $path -permissions 0755
    return $path
}

proc wait_for_log_line_in {path pattern} {
    wait_for_condition 200 25 {[string match $pattern [read_file_bytes $path]]} else {
        fail "no log line matching $pattern"
    }
}

proc misconf_rdb {c dir} {
    file mkdir [file join $dir blocker]
    close [open [file join $dir blocker keep] w]
    $c config set dbfilename blocker
    assert_equal [$c bgsave] {Background saving started}
    wait_for_condition 200 50 {[persist_info $c rdb_bgsave_in_progress] == 0} else { fail "BGSAVE did not end" }
    assert_equal [persist_info $c rdb_last_bgsave_status] err
    return [assert_error {MISCONF*} {$c set k v}]
}

test {a failed BGSAVE refuses writes with Redis's MISCONF until a save works again} {
    set dir [::harness::new_dir err]
    set srv [persist_start $dir --save "3600 1"]
    set c [dict get $srv client]
    $c set before 1
    set mine [misconf_rdb $c $dir]
    assert_match "*Error moving temp DB file*" [read_file_bytes [dict get $srv stdout]]
    assert_error {MISCONF*} {$c ping}
    assert_error {MISCONF*} {$c del before}
    assert_equal [$c get before] 1
    assert_equal [$c dbsize] 1
    # the same situation on redis-server gives the same text
    set rdir [::harness::new_dir err]
    set rsrv [persist_start_redis $rdir --save "3600 1" --enable-protected-configs yes]
    set theirs [misconf_rdb [dict get $rsrv client] $rdir]
    [dict get $rsrv client] config set save ""
    persist_stop $rsrv
    assert_equal $mine $theirs
    # stop-writes-on-bgsave-error no lets writes through
    $c config set stop-writes-on-bgsave-error no
    assert_equal [$c set k v] OK
    $c config set stop-writes-on-bgsave-error yes
    assert_error {MISCONF*} {$c set k v}
    # fixed: the next save clears the state
    $c config set dbfilename dump.rdb
    assert_equal [$c bgsave] {Background saving started}
    wait_for_condition 200 50 {[persist_info $c rdb_bgsave_in_progress] == 0} else { fail "BGSAVE did not end" }
    assert_equal [persist_info $c rdb_last_bgsave_status] ok
    assert_equal [$c set k v2] OK
    assert_equal [$c ping] PONG
    assert_error {*No such file or directory*} {$c config set dir [file join $dir nosuch]}
    persist_stop $srv
}

# Overwrites one key with 1 KB values until the node refuses; returns
# {last acknowledged value, error text}.
proc fill_until_refused {c} {
    set last {}
    for {set i 0} {$i < 2000} {incr i} {
        if {[catch {$c set k [format %04d $i][string repeat x 1000]} err]} { return [list $last $err] }
        set last $i
    }
    fail "the AOF never hit its size limit"
}

test {while MISCONF holds, Memcached writes are refused too; reads still work} {
    set dir [::harness::new_dir err]
    set mport [find_available_port]
    set srv [persist_start $dir --save "3600 1" --mc-port $mport]
    set c [dict get $srv client]
    set mc [mc_client 127.0.0.1 $mport]
    $mc sendline "set before 0 0 1"
    $mc sendline "x"
    assert_equal [$mc read_line] STORED
    misconf_rdb $c $dir
    foreach {cmd data} {"set k 0 0 1" x "add k2 0 0 1" y "delete before" "" "incr before 1" ""
                        "touch before 10" "" "flush_all" ""} {
        $mc sendline $cmd
        if {$data ne ""} { $mc sendline $data }
        set got [$mc read_line]
        assert_match "* -> SERVER_ERROR MISCONF *" "$cmd -> $got"
    }
    # noreply stays silent (as memcached's out_string), and nothing is stored
    $mc sendline "set quiet 0 0 1 noreply"
    $mc sendline "q"
    $mc sendline "ms mk 1"
    $mc sendline "z"
    assert_match {SERVER_ERROR MISCONF *} [$mc read_line]
    $mc sendline "get before quiet mk"
    assert_equal [$mc read_line] "VALUE before 0 1"
    assert_equal [$mc read_line] x
    assert_equal [$mc read_line] END
    # fixed: writes go through again
    $c config set dbfilename dump.rdb
    assert_equal [$c bgsave] {Background saving started}
    wait_for_condition 200 50 {[persist_info $c rdb_last_bgsave_status] eq "ok"} else { fail "save did not recover" }
    $mc sendline "set k 0 0 1"
    $mc sendline "x"
    assert_equal [$mc read_line] STORED
    $mc close
    persist_stop $srv
}

test {appendfsync everysec: an AOF that cannot grow refuses writes; a rewrite recovers} {
    set dir [::harness::new_dir err]
    set srv [persist_launch [limited_binary $dir 300000] persist $dir \
        [list --mc-port 0 --appendonly yes --appendfsync everysec]]
    set c [dict get $srv client]
    lassign [fill_until_refused $c] last err
    assert_match "MISCONF Errors writing to the AOF file: File too large" $err
    assert_equal [persist_info $c aof_last_write_status] err
    assert_match "*Error writing to the AOF file: File too large*" [read_file_bytes [dict get $srv stdout]]
    assert_equal [string range [$c get k] 0 3] [format %04d $last]
    assert_error {MISCONF*} {$c ping}
    # the rewritten file is small: the node writes again
    assert_equal [$c bgrewriteaof] {Background append only file rewriting started}
    wait_for_condition 200 50 {[persist_info $c aof_rewrite_in_progress] == 0} else { fail "rewrite did not end" }
    assert_equal [persist_info $c aof_last_write_status] ok
    assert_equal [$c set after ok] OK
    persist_kill $srv
    set srv [persist_start $dir --appendonly yes]
    set c [dict get $srv client]
    assert_equal [string range [$c get k] 0 3] [format %04d $last]
    assert_equal [$c get after] ok
    persist_stop $srv
}

test {appendfsync always: the write that cannot be logged is not acknowledged} {
    set dir [::harness::new_dir err]
    set srv [persist_launch [limited_binary $dir 200000] persist $dir \
        [list --mc-port 0 --appendonly yes --appendfsync always]]
    set c [dict get $srv client]
    lassign [fill_until_refused $c] last err
    assert_match "MISCONF Errors writing to the AOF file: File too large" $err
    # the node is alive and reads work
    assert_equal [string length [$c get k]] 1004
    assert_equal [persist_info $c aof_last_write_status] err
    persist_kill $srv
    set srv [persist_start $dir --appendonly yes]
    set c [dict get $srv client]
    # every acknowledged write is there; the refused one is not
    assert_equal [string range [$c get k] 0 3] [format %04d $last]
    persist_stop $srv
}

test {a snapshot that cannot be written fails SAVE and SHUTDOWN, not the node} {
    set dir [::harness::new_dir err]
    set srv [persist_launch [limited_binary $dir 100000] persist $dir [list --mc-port 0 --save "3600 1"]]
    set c [dict get $srv client]
    for {set i 0} {$i < 300} {incr i} { $c set k$i [randstring 1000 1000 binary] }
    assert_error {ERR} {$c save}
    assert_error {*Errors trying to SHUTDOWN*} {$c shutdown}
    assert_equal [$c dbsize] 300
    # SIGTERM cannot save either: the node stays up (as Redis)
    exec kill -TERM [dict get $srv pid]
    wait_for_log_line_in [dict get $srv stdout] "*Error trying to save the DB, can't exit*"
    assert_equal [$c ping] PONG
    assert_match "*Write error saving DB on disk: File too large*" [read_file_bytes [dict get $srv stdout]]
    $c config set save ""
    persist_stop $srv
}
