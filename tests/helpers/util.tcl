# tests/helpers/util.tcl: small utilities shared by the integration tests:
# random data, INFO parsing, keyspace dumps, file tails. Nothing here
# starts processes or talks to the runner, so it is safe to source anywhere.

proc randomInt {max} {
    expr {int(rand() * $max)}
}

# randstring min max ?type?: alpha (printable ASCII letters/digits),
# binary (any byte 0..255), compr (few distinct chars, compresses well).
proc randstring {min max {type binary}} {
    set len [expr {$min + [randomInt [expr {$max - $min + 1}]]}]
    switch -exact -- $type {
        alpha  { set lo 48; set hi 122 }
        binary { set lo 0;  set hi 255 }
        compr  { set lo 48; set hi 52 }
        default { error "randstring: unknown type $type (alpha, binary, compr)" }
    }
    set out {}
    for {set i 0} {$i < $len} {incr i} {
        append out [format %c [expr {$lo + [randomInt [expr {$hi - $lo + 1}]]}]]
    }
    return $out
}

# Value of "field:value" in an INFO reply; empty if absent.
proc get_info_field {info field} {
    foreach line [split $info "\n"] {
        set line [string trimright $line "\r"]
        if {[string match "$field:*" $line]} {
            return [string range $line [expr {[string length $field] + 1}] end]
        }
    }
    return {}
}

# Last n lines of a file, or a note that it is missing.
proc file_tail {path {n 30}} {
    if {[catch {open $path r} fd]} { return "($path: missing)" }
    fconfigure $fd -translation binary
    set data [read $fd]
    close $fd
    set lines [split [string trimright $data "\n"] "\n"]
    return [join [lrange $lines end-[expr {$n - 1}] end] "\n"]
}

proc read_file_bytes {path} {
    set fd [open $path r]
    fconfigure $fd -translation binary
    set data [read $fd]
    close $fd
    return $data
}

# Dump the current server's keyspace as CSV lines (debugging aid, and a
# way to compare two servers' contents: [csvdump] vs [csvdump oracle]).
proc csvdump {{client r}} {
    set out {}
    set keys [lsort [$client keys *]]
    foreach k $keys {
        set type [$client type $k]
        set row [list $k $type]
        switch -exact -- $type {
            string { lappend row [$client get $k] }
            list   { lappend row {*}[$client lrange $k 0 -1] }
            set    { lappend row {*}[lsort [$client smembers $k]] }
            zset   { lappend row {*}[$client zrange $k 0 -1 withscores] }
            hash   {
                set pairs {}
                foreach {f v} [$client hgetall $k] { lappend pairs [list $f $v] }
                foreach p [lsort -index 0 $pairs] { lappend row {*}$p }
            }
        }
        set cells {}
        foreach c $row {
            lappend cells "\"[string map {\" \"\"} $c]\""
        }
        append out [join $cells ,] "\n"
    }
    return $out
}
