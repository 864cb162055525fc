# tests/integration/persist-crash.tcl: durability under SIGKILL. A writer
# process sends numbered writes (strings, list pushes, hash fields) and
# records each acknowledged one; the node is killed at random moments, 24
# times, with automatic AOF rewrites happening along the way; after every
# restart every acknowledged write must be there. With everysec the same
# run measures how many acknowledged writes a process crash loses.

source [file join [file dirname [info script]] persist-common.inc]

set writer_py {
import socket, sys, time
port, start, ackpath, secs = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
def bulk(b): return b'$%d\r\n%s\r\n' % (len(b), b)
s = socket.create_connection(('127.0.0.1', port))
f = s.makefile('rb')
out = open(ackpath, 'a')
i = start
end = time.time() + secs
try:
    while time.time() < end:
        n = str(i).encode()
        kind = i % 3
        if kind == 0: args = [b'SET', b'w:' + n, n]
        elif kind == 1: args = [b'RPUSH', b'wl', n]
        else: args = [b'HSET', b'wh', b'f' + n, n]
        s.sendall(b'*%d\r\n' % len(args) + b''.join(bulk(a) for a in args))
        line = f.readline()
        if not line or line[:1] not in (b'+', b':'): break
        out.write('%d\n' % i)
        out.flush()
        i += 1
except OSError:
    pass
out.close()
}

# Runs one writer against the node until it dies; returns the numbers it
# got acknowledged. The node is killed after a random delay.
proc crash_round {srv dir start} {
    set ack [file join $dir ack.$start]
    set py [file join $dir writer.py]
    set pid [exec /usr/bin/python3 $py [dict get $srv port] $start $ack 20 &]
    after [expr {80 + [randomInt 400]}]
    persist_kill $srv
    set deadline [expr {[clock milliseconds] + 20000}]
    while {[::harness::alive $pid] && [clock milliseconds] < $deadline} { after 10 }
    if {[::harness::alive $pid]} { catch {exec kill -KILL $pid}; fail "writer did not stop" }
    catch {exec kill -0 $pid}   ;# reap
    set nums {}
    if {[file exists $ack]} { set nums [split [string trim [read_file_bytes $ack]] "\n"] }
    return $nums
}

# The acknowledged numbers missing from the node.
proc missing_writes {c nums} {
    set list [$c lrange wl 0 -1]
    foreach x $list { set inlist($x) 1 }
    set hash [$c hgetall wh]
    foreach {f v} $hash { set inhash($f) $v }
    set missing {}
    foreach n $nums {
        switch [expr {$n % 3}] {
            0 { if {[$c get w:$n] ne $n} { lappend missing $n } }
            1 { if {![info exists inlist($n)]} { lappend missing $n } }
            2 { if {![info exists inhash(f$n)] || $inhash(f$n) ne $n} { lappend missing $n } }
        }
    }
    return $missing
}

proc crash_run {fsync rounds} {
    set dir [::harness::new_dir crash]
    set fd [open [file join $dir writer.py] w]
    puts $fd $::writer_py
    close $fd
    set opts [list --appendonly yes --appendfsync $fsync --auto-aof-rewrite-min-size 64kb \
        --auto-aof-rewrite-percentage 50]
    set next 0
    set acked {}
    set lost 0
    set rewrites 0
    for {set r 0} {$r < $rounds} {incr r} {
        set srv [persist_start $dir {*}$opts]
        set c [dict get $srv client]
        # everything acknowledged before this restart is still there
        set missing [missing_writes $c $acked]
        if {$fsync eq "always" && [llength $missing]} {
            fail "round $r: [llength $missing] acknowledged writes lost, e.g. [lrange $missing 0 9]"
        }
        incr lost [llength $missing]
        incr rewrites [persist_info $c aof_rewrites]
        $c close
        set nums [crash_round $srv $dir $next]
        if {[llength $nums]} { set next [expr {[lindex $nums end] + 1}] }
        # a write that was sent but not acknowledged may exist: skip its number
        incr next
        lappend acked {*}$nums
    }
    set srv [persist_start $dir {*}$opts]
    set c [dict get $srv client]
    set missing [missing_writes $c $acked]
    incr lost [llength $missing]
    exec redis-check-aof [file join $dir appendonly.aof]
    persist_stop $srv
    return [list [llength $acked] $lost $missing]
}

test {appendfsync always: no acknowledged write is lost across 24 SIGKILLs} {
    lassign [crash_run always 24] total lost missing
    puts "crash test (always): $total acknowledged writes over 24 kills, $lost lost"
    assert {$total > 1000}
    assert_equal $missing {}
    assert_equal $lost 0
}

test {appendfsync everysec: acknowledged writes lost to a process crash (measured)} {
    lassign [crash_run everysec 6] total lost missing
    puts "crash test (everysec): $total acknowledged writes over 6 kills, $lost lost"
    assert {$total > 500}
    # not a timing assertion: the records are written before the reply, so
    # a process crash loses none; an OS crash could lose up to ~1 s
    assert_equal $lost 0
}
