# tests/helpers/diffutil.tcl: the small differential idioms the per-type
# test files share, on top of diff.tcl (`r` is the server under test,
# `oracle` the real redis). A file may still define its own variant of a
# proc after this one is loaded; the last definition wins.

# Each command of the list, raw replies compared byte for byte.
proc same {cmds} {
    foreach cmd $cmds { assert_same $cmd }
}

# The same command on both servers, replies ignored (errors raise).
proc both {args} {
    r {*}$args
    oracle {*}$args
}

proc del_both {args} {
    r del {*}$args
    oracle del {*}$args
}

proc same_encoding {args} {
    foreach k $args { assert_same [list object encoding $k] }
}

# A reply with its order taken out: {ERR text} or {OK sorted-reply}; for
# SCAN {OK cursor sorted-keys}, the cursor kept as it is.
proc sorted_reply {client cmd} {
    if {[catch {$client {*}$cmd} res]} { return [list ERR $res] }
    if {[string equal -nocase [lindex $cmd 0] scan]} {
        return [list OK [lindex $res 0] [lsort [lindex $res 1]]]
    }
    return [list OK [lsort $res]]
}

# The same command on both, the replies equal once sorted (members,
# KEYS and SCAN come in each table's own order); errors must be equal.
proc same_sorted {cmd} {
    assert_equal [sorted_reply r $cmd] [sorted_reply oracle $cmd] "same_sorted {$cmd}"
}

# The lines of a client's INFO stats whose names match the regexp names.
proc info_stat_lines {client names} {
    set out {}
    foreach line [split [$client info stats] "\r\n"] {
        if {[regexp "^($names):" $line]} { lappend out $line }
    }
    return $out
}

# INFO stats lines named by the regexp names: n of them on the server,
# each equal to redis's.
proc assert_same_stats {names n} {
    set mine [info_stat_lines r $names]
    assert_equal [llength $mine] $n
    assert_equal $mine [info_stat_lines oracle $names]
}

# Sends cmds to `r` in one write on a new connection (after SELECT db when
# db is given), so the node runs them at one clock reading; returns the
# replies ("ERR: text" for errors).
proc pipeline {cmds {db {}}} {
    set c [new_client -deferred 1]
    if {$db ne {}} {
        $c select $db
        $c read
    }
    set buf {}
    foreach cmd $cmds { append buf [resp_encode $cmd] }
    $c raw $buf
    set out {}
    foreach cmd $cmds {
        if {[catch {$c read} rep]} { set rep "ERR: $rep" }
        lappend out $rep
    }
    $c close
    return $out
}
