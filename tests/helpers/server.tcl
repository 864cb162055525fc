# tests/helpers/server.tcl: starting and stopping server processes for the
# integration tests (start_server, srv, r, new_client, wait_for_log_line).
#
# Every process is started on 127.0.0.1 on a port we just proved free, in a
# fresh directory under this file's tmpdir, and its PID is recorded as a file
# in <tmpdir>/.pids/ until it is stopped: the runner (and its watchdog) kill
# whatever is listed there when a file times out or the run is interrupted.
# Readiness is polled (log line or accepted connection), never slept for.

namespace eval ::harness {
    variable servers {}      ;# stack of server dicts, last = level 0
    variable port_next 0
    variable dir_seq 0
    variable ready_timeout_ms 10000
}
foreach {var val} [list server_binary {} oracle_redis /usr/bin/redis-server \
        oracle_memcached /usr/bin/memcached valgrind 0 baseport 21000 \
        portcount 4000 file_tmpdir [file join [pwd] tmp-harness]] {
    if {![info exists ::$var]} { set ::$var $val }
}

proc ::harness::port_free {port} {
    if {[catch {socket -server {apply {args {}}} -myaddr 127.0.0.1 $port} s]} {
        return 0
    }
    close $s
    return 1
}

# find_available_port: a port nobody listens on, never the same one twice
# in one file (the runner gives each parallel job its own port range).
proc find_available_port {} {
    for {set i 0} {$i < $::portcount} {incr i} {
        set port [expr {$::baseport + ($::harness::port_next % $::portcount)}]
        incr ::harness::port_next
        if {[::harness::port_free $port]} { return $port }
    }
    error "find_available_port: no free port in $::baseport..+$::portcount"
}

proc ::harness::new_dir {prefix} {
    set dir [file join $::file_tmpdir "$prefix.[incr ::harness::dir_seq]"]
    file mkdir $dir
    return $dir
}

# Start argv with stdout+stderr appended to errlog; returns the PID.
proc ::harness::spawn {argv errlog} {
    set pid [lindex [exec {*}$argv </dev/null >>& $errlog &] 0]
    file mkdir [file join $::file_tmpdir .pids]
    close [open [file join $::file_tmpdir .pids $pid] w]
    return $pid
}

proc ::harness::task_state {statfile} {
    if {[catch {open $statfile r} fd]} { return X }
    set stat [read $fd]
    close $fd
    return [lindex [string range $stat [expr {[string last ")" $stat] + 2}] end] 0]
}

# A process is alive while any of its threads is: an exiting process's
# main thread shows Z while its other threads still tear down, and they
# hold its files (a node's listening socket still accepts, then resets).
proc ::harness::alive {pid} {
    if {[::harness::task_state /proc/$pid/stat] ni {Z X}} { return 1 }
    foreach t [glob -nocomplain /proc/$pid/task/*/stat] {
        if {[::harness::task_state $t] ni {Z X}} { return 1 }
    }
    return 0
}

# SIGTERM, wait up to timeout_ms, then SIGKILL. Returns 1 if it had to kill.
proc ::harness::stop_pid {pid {timeout_ms 10000}} {
    set killed 0
    catch {exec kill -TERM $pid}
    set deadline [expr {[clock milliseconds] + $timeout_ms}]
    while {[::harness::alive $pid] && [clock milliseconds] < $deadline} {
        after 10
    }
    if {[::harness::alive $pid]} {
        set killed 1
        catch {exec kill -KILL $pid}
        set deadline [expr {[clock milliseconds] + 5000}]
        while {[::harness::alive $pid] && [clock milliseconds] < $deadline} {
            after 10
        }
    }
    file delete [file join $::file_tmpdir .pids $pid]
    return $killed
}

proc ::harness::kill_all_servers {} {
    foreach f [glob -nocomplain -directory [file join $::file_tmpdir .pids] *] {
        catch {exec kill -KILL [file tail $f]}
        file delete $f
    }
}

proc ::harness::log_tail {srv {n 30}} {
    set out {}
    foreach key {stdout stderr valgrind_log} {
        if {[dict exists $srv $key] && [file exists [dict get $srv $key]]
                && [file size [dict get $srv $key]] > 0} {
            append out "--- tail of [dict get $srv $key] ---\n"
            append out [file_tail [dict get $srv $key] $n] "\n"
        }
    }
    if {$out eq {}} { set out "(server logs are empty)\n" }
    return $out
}

proc ::harness::describe {srv} {
    return "[file tail [dict get $srv binary]] (pid [dict get $srv pid],\
        port [dict get $srv port], dir [dict get $srv dir])"
}

# Poll until pattern shows in the server's log (or a TCP connect succeeds
# when pattern is empty). Returns {} when ready, else why not.
proc ::harness::wait_ready {srv pattern timeout_ms} {
    set deadline [expr {[clock milliseconds] + $timeout_ms}]
    while {1} {
        if {$pattern eq {}} {
            if {![catch {socket 127.0.0.1 [dict get $srv port]} s]} {
                close $s
                return {}
            }
        } else {
            foreach key {stdout stderr} {
                set path [dict get $srv $key]
                if {[file exists $path] &&
                        [string first $pattern [read_file_bytes $path]] >= 0} {
                    return {}
                }
            }
        }
        if {![::harness::alive [dict get $srv pid]]} { return exited }
        if {[clock milliseconds] > $deadline} { return timeout }
        after 20
    }
}

# Start a process from a server description; retries on a port race.
#   spec keys: binary, argv_fn (proc: port dir -> argv), ready (pattern or
#   {} for "port accepts"), name
proc ::harness::launch {spec} {
    set binary [dict get $spec binary]
    if {![file executable $binary]} {
        error "server binary not found or not executable: $binary\
            (build it, or pass --server / --oracle-* to runtest)"
    }
    set timeout $::harness::ready_timeout_ms
    if {$::valgrind} { set timeout [expr {$timeout * 6}] }
    for {set attempt 1} {1} {incr attempt} {
        set port [find_available_port]
        set dir [::harness::new_dir [dict get $spec name]]
        set srv [dict create binary $binary port $port host 127.0.0.1 dir $dir \
            stdout [file join $dir stdout.log] stderr [file join $dir stderr.log]]
        set argv [{*}[dict get $spec argv_fn] $port $dir]
        if {$::valgrind && [dict get $spec name] ne "memcached"} {
            dict set srv valgrind_log [file join $dir valgrind.log]
            set argv [list valgrind --track-origins=yes --leak-check=full \
                --errors-for-leak-kinds=definite --show-possibly-lost=no \
                --log-file=[dict get $srv valgrind_log] {*}$argv]
        }
        dict set srv argv $argv
        dict set srv pid [::harness::spawn $argv [dict get $srv stderr]]
        set why [::harness::wait_ready $srv [dict get $spec ready] $timeout]
        if {$why eq {}} { return $srv }
        ::harness::stop_pid [dict get $srv pid] 1000
        set tail [::harness::log_tail $srv]
        if {$attempt < 3 && [string match -nocase "*already in use*" $tail]} {
            continue
        }
        error "[::harness::describe $srv] did not become ready ($why)\
            \ncommand: $argv\n$tail"
    }
}

# Sanitizer / valgrind findings in a stopped server's logs, or {}.
proc ::harness::sanitizer_report {srv} {
    set report {}
    foreach key {stdout stderr} {
        set path [dict get $srv $key]
        if {![file exists $path]} { continue }
        set data [read_file_bytes $path]
        foreach pat {"ERROR: AddressSanitizer" "runtime error:" "LeakSanitizer"
                     "ERROR: ThreadSanitizer" "WARNING: ThreadSanitizer"} {
            set i [string first $pat $data]
            if {$i >= 0} {
                append report "--- $path ---\n" \
                    [string range $data [expr {max(0, $i - 200)}] [expr {$i + 4000}]] "\n"
                break
            }
        }
    }
    if {[dict exists $srv valgrind_log] && [file exists [dict get $srv valgrind_log]]} {
        set data [read_file_bytes [dict get $srv valgrind_log]]
        if {[regexp {ERROR SUMMARY: [1-9]} $data] ||
                [regexp {definitely lost: [1-9]} $data]} {
            append report "--- [dict get $srv valgrind_log] ---\n$data\n"
        }
    }
    return $report
}

# Stop a server dict: close its clients, stop the process, report findings
# as a file-level failure (the body's own result is left untouched).
proc ::harness::finish {srv} {
    foreach key {client mc} {
        if {[dict exists $srv $key]} { catch {[dict get $srv $key] close} }
    }
    set timeout [expr {$::valgrind ? 60000 : 10000}]
    if {[::harness::stop_pid [dict get $srv pid] $timeout]} {
        ::harness::emit filefail $::test_file "[::harness::describe $srv]\
            ignored SIGTERM for [expr {$timeout / 1000}] s and was killed\n[::harness::log_tail $srv]"
    }
    set report [::harness::sanitizer_report $srv]
    if {$report ne {}} {
        ::harness::emit filefail $::test_file \
            "sanitizer report from [::harness::describe $srv]:\n$report"
    }
}

# Servers of the current stack that are no longer running, described.
proc ::harness::dead_servers {} {
    set out {}
    foreach srv [concat $::harness::servers [::harness::oracle_servers]] {
        if {![::harness::alive [dict get $srv pid]]} {
            append out "[::harness::describe $srv] is no longer running\n" \
                [::harness::log_tail $srv]
        }
    }
    return $out
}
if {[info commands ::harness::oracle_servers] eq {}} {
    proc ::harness::oracle_servers {} { return {} }
}

proc ::harness::redis_argv {binary config extra port dir} {
    set argv [list $binary]
    if {$config ne {}} { lappend argv $config }
    lappend argv --port $port --bind 127.0.0.1 --dir $dir \
        --logfile [file join $dir stdout.log] {*}$extra
    return $argv
}

# start_server {overrides} {body}
#   overrides: directive value pairs passed as --directive value, plus
#     binary PATH      start another binary (e.g. $::oracle_redis)
#     tags {list}      tags for every test inside
#     config FILE      config file given as first argument
#     args {list}      extra raw command-line arguments
#     ready PATTERN    ready line to wait for ("" = port accepts)
#     mc-port auto     pick a free port for --mc-port and make `mc` a client
proc start_server {overrides body} {
    set binary $::server_binary
    set tags {}
    set config {}
    set ready "Ready to accept connections"
    set extra {}
    set want_mc 0
    foreach {k v} $overrides {
        switch -exact -- $k {
            binary { set binary $v }
            tags   { set tags $v }
            config { set config $v }
            args   { lappend extra {*}$v }
            ready  { set ready $v }
            default {
                if {$k eq "mc-port" && $v eq "auto"} {
                    set want_mc 1
                    set v [find_available_port]
                }
                lappend extra --$k $v
            }
        }
    }
    # shoal-server listens for Memcached on 11211 by default: tests that do
    # not ask for mc-port (--mc-port, or memcached's -p in args) turn it
    # off, so parallel servers do not collide.
    if {[string match shoal-server* [file tail $binary]] &&
            [lsearch -exact $extra --mc-port] < 0 && [lsearch -exact $extra -p] < 0} {
        lappend extra --mc-port 0
    }
    set spec [dict create binary $binary name server ready $ready argv_fn \
        [list ::harness::redis_argv $binary $config $extra]]
    set srv [::harness::launch $spec]
    dict set srv overrides $overrides
    try {
        dict set srv client [resp_client 127.0.0.1 [dict get $srv port]]
        if {$want_mc} {
            set i [lsearch -exact $extra --mc-port]
            dict set srv mc_port [lindex $extra [expr {$i + 1}]]
            dict set srv mc [mc_client 127.0.0.1 [dict get $srv mc_port]]
        }
    } on error {msg opts} {
        ::harness::finish $srv
        error "[::harness::describe $srv] is ready but refuses clients: $msg\n[::harness::log_tail $srv]"
    }
    lappend ::harness::servers $srv
    try {
        tags $tags [list uplevel 1 $body]
    } finally {
        set ::harness::servers [lrange $::harness::servers 0 end-1]
        ::harness::finish $srv
    }
}

# srv ?level? property: host port pid dir stdout stderr client binary
# overrides argv mc_port mc. Level 0 is the innermost server, -1 the one
# around it.
proc srv {args} {
    if {[llength $args] == 1} {
        set level 0
        set prop [lindex $args 0]
    } else {
        lassign $args level prop
    }
    set idx [expr {[llength $::harness::servers] - 1 + $level}]
    if {$idx < 0 || $idx >= [llength $::harness::servers]} {
        error "srv: no server at level $level"
    }
    return [dict get [lindex $::harness::servers $idx] $prop]
}

# r ?level? cmd args...: send a command with the server's own client.
proc r {args} {
    set level 0
    if {[string is integer -strict [lindex $args 0]]} {
        set level [lindex $args 0]
        set args [lrange $args 1 end]
    }
    tailcall [srv $level client] {*}$args
}

# new_client ?level? ?-deferred 1? ?-timeout s?: another client of a server.
proc new_client {args} {
    set level 0
    if {[string is integer -strict [lindex $args 0]]} {
        set level [lindex $args 0]
        set args [lrange $args 1 end]
    }
    return [resp_client [srv $level host] [srv $level port] {*}$args]
}
interp alias {} redis_client {} new_client

proc deferring_client {{level 0}} {
    return [new_client $level -deferred 1]
}

# mc ?level? line...: the memcached-protocol client of a server started
# with {mc-port auto}.
proc mc {args} {
    set level 0
    if {[string is integer -strict [lindex $args 0]]} {
        set level [lindex $args 0]
        set args [lrange $args 1 end]
    }
    tailcall [srv $level mc] {*}$args
}

# wait_for_log_line pattern ?-from N? ?-timeout ms? ?-level L?
# Polls the server's log until a line matching the glob pattern appears
# after line N; returns the line. Use [log_line_count] to get N first.
proc wait_for_log_line {pattern args} {
    set opts [dict merge {-from 0 -timeout 10000 -level 0} $args]
    set path [srv [dict get $opts -level] stdout]
    set deadline [expr {[clock milliseconds] + [dict get $opts -timeout]}]
    while {1} {
        set lines {}
        if {[file exists $path]} { set lines [split [read_file_bytes $path] "\n"] }
        foreach line [lrange $lines [dict get $opts -from] end] {
            if {[string match $pattern $line]} { return $line }
        }
        if {[clock milliseconds] > $deadline} {
            fail "no log line matching '$pattern' in $path within\
                [dict get $opts -timeout] ms; tail:\n[file_tail $path 20]"
        }
        after 20
    }
}

proc log_line_count {{level 0}} {
    set path [srv $level stdout]
    if {![file exists $path]} { return 0 }
    # complete lines only: the piece after the last newline is not a line yet
    return [regexp -all "\n" [read_file_bytes $path]]
}

# debug_sleep secs ?level?: make the server block in DEBUG SLEEP.
proc debug_sleep {secs {level 0}} {
    r $level debug sleep $secs
}
