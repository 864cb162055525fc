# tests/helpers/resp.tcl: a pure-Tcl RESP2/RESP3 client for the integration
# suite.
#
#   set c [resp_client 127.0.0.1 6379 ?-deferred 0|1? ?-timeout secs? ?-tls opts?]
#   $c set foo bar          ;# sends a multibulk, returns the parsed reply
#   $c read                 ;# (deferred mode) reads one parsed reply
#   $c raw $bytes           ;# writes bytes as they are and flushes
#   $c read_raw             ;# one complete RESP reply, exact bytes
#   $c read_raw 5           ;# exactly 5 bytes
#   $c read_line            ;# one line, "\r\n" stripped
#   $c read_eof             ;# all bytes until the server closes
#   $c attributes           ;# attribute map (flat list) of the last reply read
#   $c deferred 0|1, $c fd, $c close
#
# Each client is a command named after its state array, so tests pass it
# around as a plain string the way redis's own test client is used. Strings
# are byte strings (one char per byte): the socket is binary and arguments
# are sent by [string length], so a value with chars > 255 must be converted
# with [encoding convertto utf-8] by the caller. A top-level error reply
# raises a Tcl error whose message is the error text; an error nested in an
# aggregate (EXEC) is returned as its text so the other elements survive.
# Every read first waits for the socket to become readable with a timeout,
# so a server that stops answering fails the test instead of hanging it.
# -tls takes Tcl tls::socket options (tls_client_opts of tlsutil.tcl makes
# them): non-empty, the client speaks TLS and has finished the handshake
# when resp_client returns (a refused handshake raises); empty, plain text.

namespace eval ::resp {
    variable next_id 0
}

proc resp_client {host port args} {
    set opts [dict merge {-deferred 0 -timeout 30 -tls {}} $args]
    set fd [::resp::open_socket $host $port [dict get $opts -tls]]
    set id [incr ::resp::next_id]
    set name ::resp::client$id
    upvar #0 ::resp::state$id st
    array set st [list fd $fd deferred [dict get $opts -deferred] \
        timeout [dict get $opts -timeout] attributes {} host $host port $port]
    proc $name {args} [format {::resp::dispatch %d {*}$args} $id]
    return $name
}

# A blocking binary socket; over TLS with tlsopts non-empty.
proc ::resp::open_socket {host port tlsopts} {
    if {[llength $tlsopts] == 0} {
        set fd [socket $host $port]
    } else {
        package require tls
        set fd [tls::socket {*}$tlsopts $host $port]
    }
    fconfigure $fd -translation binary -buffering full -blocking 1
    if {[llength $tlsopts] > 0 && [catch {tls::handshake $fd} err opts]} {
        catch {close $fd}
        return -options $opts $err
    }
    return $fd
}

# Compose one RESP multibulk command from a list of byte strings.
proc resp_encode {argv} {
    set out "*[llength $argv]\r\n"
    foreach a $argv {
        append out "\$[string length $a]\r\n$a\r\n"
    }
    return $out
}

proc ::resp::dispatch {id args} {
    upvar #0 ::resp::state$id st
    if {![info exists st(fd)]} { error "resp client $id is closed" }
    set fd $st(fd)
    switch -exact -- [lindex $args 0] {
        read       { return [::resp::read_top $id] }
        raw        { puts -nonewline $fd [lindex $args 1]; flush $fd; return }
        read_raw   {
            if {[llength $args] > 1} {
                return [::resp::read_n $id [lindex $args 1]]
            }
            return [::resp::read_raw_reply $id]
        }
        read_line  { return [string range [::resp::read_crlf $id] 0 end-2] }
        read_eof   { return [::resp::read_eof $id] }
        attributes { return $st(attributes) }
        deferred   { set st(deferred) [lindex $args 1]; return }
        fd         { return $fd }
        close      {
            catch {close $fd}
            unset st
            rename ::resp::client$id {}
            return
        }
    }
    puts -nonewline $fd [resp_encode $args]
    flush $fd
    if {$st(deferred)} { return }
    return [::resp::read_top $id]
}

# Block until input is buffered or the socket is readable, at most timeout.
proc ::resp::wait_readable {id} {
    upvar #0 ::resp::state$id st
    set fd $st(fd)
    if {[chan pending input $fd] > 0 || [eof $fd]} { return }
    set var ::resp::ready$id
    set $var {}
    fileevent $fd readable [list set $var ok]
    set timer [after [expr {int($st(timeout) * 1000)}] [list set $var timeout]]
    vwait $var
    after cancel $timer
    fileevent $fd readable {}
    set res [set $var]
    unset $var
    if {$res eq "timeout"} {
        error "resp: no reply from $st(host):$st(port) within $st(timeout) s"
    }
}

# Read one line including its "\r\n".
proc ::resp::read_crlf {id} {
    upvar #0 ::resp::state$id st
    ::resp::wait_readable $id
    set n [gets $st(fd) line]
    if {$n < 0} {
        error "resp: connection closed by $st(host):$st(port)"
    }
    if {[string index $line end] ne "\r"} {
        error "resp: line not terminated by CRLF: [resp_escape $line]"
    }
    return "$line\n"
}

proc ::resp::read_n {id n} {
    upvar #0 ::resp::state$id st
    set buf {}
    while {[string length $buf] < $n} {
        ::resp::wait_readable $id
        set chunk [read $st(fd) [expr {$n - [string length $buf]}]]
        if {$chunk eq {} && [eof $st(fd)]} {
            error "resp: connection closed by $st(host):$st(port) after\
                [string length $buf] of $n bytes"
        }
        append buf $chunk
    }
    return $buf
}

# Everything until the peer closes the connection (bounded by the timeout).
proc ::resp::read_eof {id} {
    upvar #0 ::resp::state$id st
    set buf {}
    while {1} {
        ::resp::wait_readable $id
        append buf [read $st(fd) [expr {max(1, [chan pending input $st(fd)])}]]
        if {[eof $st(fd)]} { return $buf }
    }
}

# Read the payload of a length-prefixed type ($ ! =) including its CRLF.
proc ::resp::read_blob {id len} {
    set data [::resp::read_n $id [expr {$len + 2}]]
    if {[string range $data end-1 end] ne "\r\n"} {
        error "resp: blob of $len bytes not followed by CRLF"
    }
    return [string range $data 0 end-2]
}

# A top-level reply: errors become Tcl errors.
proc ::resp::read_top {id} {
    upvar #0 ::resp::state$id st
    set st(attributes) {}
    lassign [::resp::read_reply $id] kind value
    if {$kind eq "error"} {
        return -code error -errorcode [list RESP ERROR] $value
    }
    return $value
}

# Returns {kind value}; kind is "error" for - and ! replies, else "value".
proc ::resp::read_reply {id} {
    upvar #0 ::resp::state$id st
    set line [string range [::resp::read_crlf $id] 0 end-2]
    set type [string index $line 0]
    set rest [string range $line 1 end]
    switch -exact -- $type {
        + - : - , - ( { return [list value $rest] }
        - { return [list error $rest] }
        _ { return [list value {}] }
        # {
            if {$rest eq "t"} { return {value 1} }
            if {$rest eq "f"} { return {value 0} }
            error "resp: bad boolean [resp_escape $line]"
        }
        $ - ! - = {
            if {$rest < 0} { return [list value {}] }
            set data [::resp::read_blob $id $rest]
            if {$type eq "!"} { return [list error $data] }
            # Verbatim strings carry a 3-letter format and a colon.
            if {$type eq "="} { set data [string range $data 4 end] }
            return [list value $data]
        }
        * - ~ - > {
            if {$rest < 0} { return [list value {}] }
            return [list value [::resp::read_elements $id $rest]]
        }
        % { return [list value [::resp::read_elements $id [expr {$rest * 2}]]] }
        | {
            set st(attributes) [::resp::read_elements $id [expr {$rest * 2}]]
            return [::resp::read_reply $id]
        }
    }
    error "resp: unknown reply type [resp_escape $line]"
}

proc ::resp::read_elements {id n} {
    set out {}
    for {set i 0} {$i < $n} {incr i} {
        lappend out [lindex [::resp::read_reply $id] 1]
    }
    return $out
}

# One complete reply as raw bytes (attributes included with the reply they
# precede), for byte-exact comparison.
proc ::resp::read_raw_reply {id} {
    set line [::resp::read_crlf $id]
    set type [string index $line 0]
    set n [string range $line 1 end-2]
    switch -exact -- $type {
        + - - - : - , - ( - _ - # { return $line }
        $ - ! - = {
            if {$n < 0} { return $line }
            return "$line[::resp::read_n $id [expr {$n + 2}]]"
        }
        * - ~ - > - % - | {
            if {$n < 0} { return $line }
            if {$type in {% |}} { set n [expr {$n * 2}] }
            for {set i 0} {$i < $n} {incr i} {
                append line [::resp::read_raw_reply $id]
            }
            if {$type eq "|"} { append line [::resp::read_raw_reply $id] }
            return $line
        }
    }
    error "resp: unknown reply type [resp_escape $line]"
}

# Make bytes printable: CR, LF, TAB, backslash and non-printables escaped.
proc resp_escape {bytes} {
    set out {}
    foreach ch [split $bytes {}] {
        scan $ch %c code
        if {$ch eq "\r"} { append out {\r}
        } elseif {$ch eq "\n"} { append out {\n}
        } elseif {$ch eq "\t"} { append out {\t}
        } elseif {$ch eq "\\"} { append out {\\}
        } elseif {$code < 32 || $code > 126} { append out [format {\x%02x} $code]
        } else { append out $ch }
    }
    return $out
}
