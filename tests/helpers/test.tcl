# tests/helpers/test.tcl: the test DSL (test, assertions, tags,
# wait_for_condition) and the event channel to the runner.
#
# A test file runs in its own tclsh (started by tests/runtest --child); every
# result leaves the process as one line "@@harness@@ <escaped Tcl list>" on
# stdout, so output printed by a test body can pass through unharmed and the
# parent can tell a file that finished from one that crashed midway.

namespace eval ::harness {
    variable tags {}
    variable passed 0
    variable failed 0
}
# Set by the runner; defaults make the helpers usable from a bare tclsh.
foreach {var val} {test_file {} only_patterns {} verbose 0 tags_include {}
                    tags_exclude {}} {
    if {![info exists ::$var]} { set ::$var $val }
}

# Send one event to the runner. If the runner is gone (stdout broken) there
# is no one to report to: stop our servers and leave.
proc ::harness::emit {args} {
    set line [string map [list "\\" "\\\\" "\n" "\\n" "\r" "\\r"] $args]
    if {[catch {puts "@@harness@@ $line"; flush stdout}]} {
        catch {::harness::kill_all_servers}
        exit 2
    }
}

proc ::harness::assert_fail {msg} {
    set where {}
    # Level -2 is the caller of the assert_* proc that called us.
    if {![catch {info frame -2} f] && [dict exists $f line]} {
        if {[dict exists $f file]} {
            set where " (at [file tail [dict get $f file]]:[dict get $f line])"
        } else {
            set where " (at line [dict get $f line] of [dict get $f type] body)"
        }
    }
    return -code error -level 2 -errorcode ASSERTION "$msg$where"
}

proc fail {msg} {
    return -code error -errorcode ASSERTION $msg
}

proc assert {condition} {
    if {![uplevel 1 [list expr $condition]]} {
        ::harness::assert_fail "assertion failed: $condition"
    }
}

proc assert_equal {value expected {detail {}}} {
    if {$value ne $expected} {
        ::harness::assert_fail "Expected '[resp_escape $expected]', got\
            '[resp_escape $value]'[expr {$detail ne {} ? " ($detail)" : {}}]"
    }
}

proc assert_not_equal {value unexpected} {
    if {$value eq $unexpected} {
        ::harness::assert_fail "Expected something other than '[resp_escape $value]'"
    }
}

proc assert_match {pattern value} {
    if {![string match $pattern $value]} {
        ::harness::assert_fail "Expected '[resp_escape $value]' to match '$pattern'"
    }
}

proc assert_range {value min max} {
    if {![string is double -strict $value] || $value < $min || $value > $max} {
        ::harness::assert_fail "Expected '$value' to be between $min and $max"
    }
}

# assert_error pattern {code}: code must raise an error matching pattern.
proc assert_error {pattern code} {
    if {[catch {uplevel 1 $code} err]} {
        if {![string match $pattern $err]} {
            ::harness::assert_fail "Expected an error matching '$pattern', got '$err'"
        }
        return $err
    }
    ::harness::assert_fail "Expected an error matching '$pattern' but got\
        the value '[resp_escape $err]'"
}

# wait_for_condition maxtries delay_ms {cond} else {failbody}
proc wait_for_condition {maxtries delay cond else elsebody} {
    if {$else ne "else"} { error "wait_for_condition: expected 'else'" }
    for {set i 0} {$i < $maxtries} {incr i} {
        if {[uplevel 1 [list expr $cond]]} { return }
        after $delay
    }
    uplevel 1 $elsebody
}

# tags {list} {body}: tests inside carry these tags (--tags filters them).
proc tags {taglist body} {
    set saved $::harness::tags
    lappend ::harness::tags {*}$taglist
    try {
        uplevel 1 $body
    } finally {
        set ::harness::tags $saved
    }
}

proc ::harness::selected {name} {
    if {[llength $::only_patterns]} {
        set hit 0
        foreach p $::only_patterns {
            if {[string match $p $name]} { set hit 1; break }
        }
        if {!$hit} { return 0 }
    }
    foreach t $::harness::tags {
        if {$t in $::tags_exclude} { return 0 }
    }
    if {[llength $::tags_include]} {
        foreach t $::harness::tags {
            if {$t in $::tags_include} { return 1 }
        }
        return 0
    }
    return 1
}

# errorInfo without the frames of the harness's own plumbing (client
# internals, the test proc's uplevel), which only bury the failing line.
proc ::harness::clean_errorinfo {info} {
    set blocks [list {}]
    foreach line [split $info "\n"] {
        if {[regexp {^\s*(while executing|invoked from within)$} $line]} {
            lappend blocks {}
        }
        lset blocks end [concat [lindex $blocks end] [list $line]]
    }
    set out [join [lindex $blocks 0] "\n"]
    foreach b [lrange $blocks 1 end] {
        set text [join $b "\n"]
        if {[regexp {"::resp::|"::mc::|"error "resp:|"uplevel 1 \$body"|"return -code error} $text]} {
            continue
        }
        append out "\n" $text
    }
    return $out
}

# test {name} {body} ?expected?
proc test {name body {expected {}}} {
    set has_expected [expr {[llength [info level 0]] == 4}]
    if {![::harness::selected $name]} { return }
    set start [clock milliseconds]
    set code [catch {uplevel 1 $body} result opts]
    set ms [expr {[clock milliseconds] - $start}]
    set detail {}
    if {$code == 1} {
        if {[dict get $opts -errorcode] eq "ASSERTION"} {
            set detail $result
        } else {
            set detail "exception: [::harness::clean_errorinfo [dict get $opts -errorinfo]]"
        }
    } elseif {$code == 0 || $code == 2} {
        if {$has_expected && $result ne $expected} {
            set detail "Expected '[resp_escape $expected]', got '[resp_escape $result]'"
        }
    } else {
        set detail "test body ended with break/continue"
    }
    # A server that died during the test explains the failure; it also
    # means the rest of this start_server block cannot run.
    set dead [::harness::dead_servers]
    if {$dead ne {}} {
        append detail "\n$dead"
    }
    if {$detail eq {}} {
        incr ::harness::passed
        ::harness::emit ok $name $ms
    } else {
        incr ::harness::failed
        ::harness::emit err $name $::test_file $detail
    }
    if {$dead ne {}} {
        error "server died during test '$name'" {} SERVER_DIED
    }
}

# Overridden by server.tcl; lets test.tcl be used without servers.
if {[info commands ::harness::dead_servers] eq {}} {
    proc ::harness::dead_servers {} { return {} }
}
if {[info commands ::harness::kill_all_servers] eq {}} {
    proc ::harness::kill_all_servers {} {}
}
