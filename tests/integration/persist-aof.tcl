# tests/integration/persist-aof.tcl: the append-only file. Restarts replay
# every type, TTL and memcached item; the file is in Redis's form
# (absolute expiry, SELECT, random commands logged as their effect) and
# redis-check-aof accepts it; BGREWRITEAOF and the automatic rewrite keep
# the writes made meanwhile; a truncated tail is cut, damage refused with
# its offset; Redis's own AOF loads.

source [file join [file dirname [info script]] persist-common.inc]

proc check_aof {path} {
    set rc [catch {exec redis-check-aof $path} out]
    if {$rc != 0 || ![string match "*is valid*" $out]} { fail "redis-check-aof refused $path:\n$out" }
}

proc aof_path {dir} { file join $dir appendonly.aof }

test {appendonly: a restart replays every type, TTL and database} {
    set dir [::harness::new_dir aof]
    set srv [persist_start $dir --appendonly yes]
    set c [dict get $srv client]
    persist_fill $c
    # commands whose replay must not differ from what they did
    $c set counter 10.5
    $c incrbyfloat counter 0.1
    $c hset hf x 1.5
    $c hincrbyfloat hf x 2.25
    $c sadd popme a b c d e f g h i j
    $c spop popme
    $c spop popme 3
    $c rpush bl a b c
    $c blpop bl 0
    $c brpoplpush bl bl2 0
    $c setex sx 1000 v
    $c psetex spx 100000 v
    $c set sex v ex 5000
    $c expire str:int 6000
    $c pexpire str:neg 7000000
    $c expireat str:empty [expr {[clock seconds] + 8000}]
    $c getex str:rand ex 9000
    $c getex str:ttl persist
    set before [persist_dump $c]
    persist_stop $srv
    check_aof [aof_path $dir]
    set srv [persist_start $dir --appendonly yes]
    assert_equal [persist_dump [dict get $srv client]] $before
    persist_stop $srv
}

test {the AOF holds Redis's replayable forms} {
    set dir [::harness::new_dir aof]
    set srv [persist_start $dir --appendonly yes]
    set c [dict get $srv client]
    $c set a 1 ex 100
    $c setex b 100 v
    $c expire a 50
    $c incrbyfloat f 1.5
    $c sadd s x
    $c spop s
    $c rpush l x
    $c brpop l 0
    $c select 2
    $c set c v
    $c select 0
    $c set d v px 1
    after 5
    $c get d
    set aof [read_file_bytes [aof_path $dir]]
    foreach form {"\$4\r\nPXAT\r\n" "\$9\r\nPEXPIREAT\r\n" "\$7\r\nKEEPTTL\r\n" "\$4\r\nSREM\r\n"
                  "\$4\r\nRPOP\r\n" "\$6\r\nSELECT\r\n\$1\r\n2\r\n" "\$3\r\nDEL\r\n\$1\r\nd\r\n"} {
        assert {[string first $form $aof] >= 0}
    }
    foreach relative {"\$5\r\nsetex\r\n" "\$6\r\nexpire\r\n" "\$2\r\nex\r\n" "\$4\r\nspop\r\n" "\$5\r\nbrpop\r\n"} {
        assert {[string first $relative $aof] < 0}
    }
    check_aof [aof_path $dir]
    persist_stop $srv
}

test {memcached items replay exactly: flags, exptime, incr, touch, delete, flush_all} {
    set dir [::harness::new_dir aof]
    set mport [find_available_port]
    set srv [persist_start $dir --appendonly yes --appendfsync always --mc-port $mport]
    set m [mc_client 127.0.0.1 $mport]
    foreach {k flags exp v} {a 5 0 hello b 4294967295 3600 xyz n 9 0 41 t 1 0 tt gone 3 0 x} {
        $m sendline "set $k $flags $exp [string length $v]"
        $m sendline $v
        assert_equal [$m read_line] STORED
    }
    assert_equal [$m cmd "incr n 1"] 42
    assert_equal [$m cmd "touch t 7200"] TOUCHED
    assert_equal [$m cmd "delete gone"] DELETED
    $m sendline "append a 0 0 1"
    $m sendline "!"
    assert_equal [$m read_line] STORED
    set c [dict get $srv client]
    set texp [$c pexpiretime t]
    set bexp [$c pexpiretime b]
    $m close
    persist_kill $srv      ;# no shutdown flush: what was acknowledged is in the file
    check_aof [aof_path $dir]
    set srv [persist_start $dir --appendonly yes --mc-port $mport]
    set m [mc_client 127.0.0.1 $mport]
    $m sendline "get a b n t gone"
    assert_equal [$m read_until END] "VALUE a 5 6\r\nhello!\r\nVALUE b 4294967295 3\r\nxyz\r\nVALUE n 9 2\r\n42\r\nVALUE t 1 2\r\ntt\r\nEND\r\n"
    set c [dict get $srv client]
    assert_equal [$c pexpiretime t] $texp
    assert_equal [$c pexpiretime b] $bexp
    assert_equal [$m cmd "flush_all"] OK
    $m close
    persist_stop $srv
    set srv [persist_start $dir --appendonly yes]
    assert_equal [[dict get $srv client] dbsize] 0
    persist_stop $srv
}

test {BGREWRITEAOF keeps the writes made while it runs and shrinks the file} {
    set dir [::harness::new_dir aof]
    set srv [persist_start $dir --appendonly yes]
    set c [dict get $srv client]
    for {set i 0} {$i < 30000} {incr i} { $c set k[expr {$i % 10000}] [string repeat v 40]$i }
    persist_fill $c
    set size0 [file size [aof_path $dir]]
    assert_equal [$c bgrewriteaof] {Background append only file rewriting started}
    assert_error {*already in progress*} {$c bgrewriteaof}
    # writes during the rewrite, in several databases
    set w [resp_client 127.0.0.1 [dict get $srv port] -deferred 1]
    for {set i 0} {$i < 2000} {incr i} {
        $w select [expr {$i % 3}]
        $w set during$i $i
        $w hset dh f$i $i
    }
    for {set i 0} {$i < 6000} {incr i} { $w read }
    $w close
    wait_for_condition 400 50 {[persist_info $c aof_rewrite_in_progress] == 0} else { fail "rewrite did not end" }
    assert_equal [persist_info $c aof_last_bgrewrite_status] ok
    assert_equal [persist_info $c aof_rewrites] 1
    $c set after rewrite
    set before [persist_dump $c]
    assert {[file size [aof_path $dir]] < $size0}
    persist_stop $srv
    check_aof [aof_path $dir]
    set srv [persist_start $dir --appendonly yes]
    assert_equal [persist_dump [dict get $srv client]] $before
    persist_stop $srv
}

test {the AOF is rewritten automatically past auto-aof-rewrite-percentage} {
    set dir [::harness::new_dir aof]
    set srv [persist_start $dir --appendonly yes --auto-aof-rewrite-min-size 100kb --auto-aof-rewrite-percentage 100]
    set c [dict get $srv client]
    set v [string repeat x 1000]
    for {set i 0} {$i < 400 && [persist_info $c aof_rewrites] == 0} {incr i} {
        $c set k$i $v
        $c del k$i
        $c set same $i
        if {$i % 50 == 0} { after 100 }
    }
    wait_for_condition 100 50 {[persist_info $c aof_rewrites] >= 1 && [persist_info $c aof_rewrite_in_progress] == 0} else {
        fail "no automatic rewrite"
    }
    set base [persist_info $c aof_base_size]
    assert {$base < 100000}
    set before [persist_dump $c]
    persist_stop $srv
    set srv [persist_start $dir --appendonly yes]
    assert_equal [persist_dump [dict get $srv client]] $before
    persist_stop $srv
}

test {CONFIG SET appendonly yes starts the log through a rewrite; no stops it} {
    set dir [::harness::new_dir aof]
    set srv [persist_start $dir]
    set c [dict get $srv client]
    persist_fill $c
    $c config set appendonly yes
    wait_for_condition 200 50 {[persist_info $c aof_enabled] == 1 && [persist_info $c aof_rewrite_in_progress] == 0} else {
        fail "AOF was not turned on"
    }
    wait_for_condition 200 50 {[file exists [aof_path $dir]]} else { fail "no AOF file" }
    $c set later 1
    set before [persist_dump $c]
    $c config set appendonly no
    assert_equal [persist_info $c aof_enabled] 0
    $c set notlogged 1
    persist_stop $srv
    set srv [persist_start $dir --appendonly yes]
    assert_equal [persist_dump [dict get $srv client]] $before
    persist_stop $srv
}

test {a truncated last record is cut with a warning; with aof-load-truncated no the node refuses} {
    set dir [::harness::new_dir aof]
    set srv [persist_start $dir --appendonly yes]
    set c [dict get $srv client]
    $c set a 1
    $c set b 2
    persist_stop $srv
    set path [aof_path $dir]
    set good [file size $path]
    set fd [open $path a]; fconfigure $fd -translation binary
    puts -nonewline $fd "*3\r\n\$3\r\nSET\r\n\$1\r\nc\r\n\$5\r\nhal"
    close $fd
    set log [persist_start_fails $dir --appendonly yes --aof-load-truncated no]
    assert_match "*Unexpected end of file*at offset $good*" $log
    set srv [persist_start $dir --appendonly yes]
    set c [dict get $srv client]
    assert_equal [list [$c get a] [$c get b] [$c exists c]] {1 2 0}
    assert_match "*Truncating the AOF*at offset $good*" [read_file_bytes [dict get $srv stdout]]
    assert_equal [file size $path] $good
    $c set c 3
    persist_stop $srv
    check_aof $path
    set srv [persist_start $dir --appendonly yes]
    assert_equal [[dict get $srv client] get c] 3
    persist_stop $srv
}

# Peak virtual memory of a process, in kB (counts what was reserved even
# if never touched, as a huge allocation is).
proc vm_peak_kb {pid} {
    set fd [open /proc/$pid/status r]; set text [read $fd]; close $fd
    regexp {VmPeak:\s+(\d+)} $text -> kb
    return $kb
}

test {a last record announcing more arguments than the file holds is cut, not allocated} {
    set dir [::harness::new_dir aof]
    set srv [persist_start $dir --appendonly yes]
    [dict get $srv client] set a 1
    set base [vm_peak_kb [dict get $srv pid]]
    persist_stop $srv
    set path [aof_path $dir]
    set good [file size $path]
    set fd [open $path a]; fconfigure $fd -translation binary
    # 2^30 arguments: before, the loader allocated room for all of them first
    puts -nonewline $fd "*1073741824\r\n\$3\r\nSET\r\n"
    close $fd
    assert_match "*Unexpected end of file*at offset $good*" \
        [persist_start_fails $dir --appendonly yes --aof-load-truncated no]
    set srv [persist_start $dir --appendonly yes]
    assert_equal [[dict get $srv client] get a] 1
    assert_equal [file size $path] $good
    # no room for 2^30 arguments (16 GB) was reserved on the way
    set peak [vm_peak_kb [dict get $srv pid]]
    if {$peak >= $base + 1024 * 1024} { fail "VmPeak $peak kB, $base kB before" }
    persist_stop $srv
}

test {damage before the end stops the node naming the offset} {
    set dir [::harness::new_dir aof]
    set srv [persist_start $dir --appendonly yes]
    set c [dict get $srv client]
    for {set i 0} {$i < 10} {incr i} { $c set key$i value$i }
    persist_stop $srv
    set path [aof_path $dir]
    set data [read_file_bytes $path]
    set at [string first "\$6\r\nvalue5" $data]
    set bad [string replace $data $at $at "!"]
    set fd [open $path w]; fconfigure $fd -translation binary; puts -nonewline $fd $bad; close $fd
    assert_match "*Bad file format reading the append only file*at offset $at:*" \
        [persist_start_fails $dir --appendonly yes]
    # an unknown command is refused too
    set fd [open $path w]; fconfigure $fd -translation binary
    puts -nonewline $fd "*2\r\n\$6\r\nNOSUCH\r\n\$1\r\nx\r\n"; close $fd
    assert_match "*Unknown command 'NOSUCH'*" [persist_start_fails $dir --appendonly yes]
}

test {an AOF written by redis-server 7.0 loads, MULTI/EXEC blocks included} {
    set rdir [::harness::new_dir aof]
    set rsrv [persist_start_redis $rdir --appendonly yes --aof-use-rdb-preamble no]
    set rc [dict get $rsrv client]
    persist_fill $rc
    $rc multi
    $rc set tx1 a
    $rc incr tx2
    $rc exec
    $rc spop s:big 3
    $rc expire str:int 600
    set before [persist_dump $rc]
    persist_stop $rsrv
    # the multi-part files, base then increments, make one plain AOF
    set dir [::harness::new_dir aof]
    set out [open [aof_path $dir] w]
    fconfigure $out -translation binary
    foreach f [lsort -dictionary [glob -directory [file join $rdir appendonlydir] *.base.aof *.incr.aof]] {
        puts -nonewline $out [read_file_bytes $f]
    }
    close $out
    check_aof [aof_path $dir]
    set srv [persist_start $dir --appendonly yes]
    assert_equal [persist_dump [dict get $srv client]] $before
    persist_stop $srv
    # a MULTI block cut off at the end is dropped whole
    set fd [open [aof_path $dir] a]; fconfigure $fd -translation binary
    puts -nonewline $fd "*1\r\n\$5\r\nMULTI\r\n*3\r\n\$3\r\nSET\r\n\$2\r\nt3\r\n\$1\r\nx\r\n"
    close $fd
    set srv [persist_start $dir --appendonly yes]
    assert_equal [[dict get $srv client] exists t3] 0
    persist_stop $srv
}
