# tests/helpers/mc.tcl: a raw Memcached text-protocol client.
#
#   set m [mc_client 127.0.0.1 11211 ?-timeout secs? ?-tls opts?]
#   $m sendline "set k 0 0 1"   ;# appends "\r\n", flushes
#   $m send "v\r\n"             ;# bytes as they are, flushes
#   $m read_line                ;# one line, "\r\n" stripped
#   $m read_bytes 5             ;# exactly 5 bytes
#   $m read_until END           ;# raw bytes up to and including the line END
#   $m cmd "version"            ;# sendline + read_line
#   $m fd, $m close
#
# It shares the socket (plain or, with -tls, TLS: see resp.tcl), timeout
# and buffering code of resp.tcl (a memcached reply is lines and counted
# blobs, like RESP), but never interprets a reply: memcached tests compare
# bytes.

namespace eval ::mc {}

proc mc_client {host port args} {
    set r [resp_client $host $port {*}$args]
    set id [string range $r [string length ::resp::client] end]
    set name ::mc::client$id
    proc $name {args} [format {::mc::dispatch %d {*}$args} $id]
    # The resp command stays as an implementation detail of this client.
    rename $r ::mc::resp$id
    return $name
}

proc ::mc::dispatch {id args} {
    upvar #0 ::resp::state$id st
    if {![info exists st(fd)]} { error "mc client $id is closed" }
    set fd $st(fd)
    lassign $args op arg
    switch -exact -- $op {
        send      { puts -nonewline $fd $arg; flush $fd; return }
        sendline  { puts -nonewline $fd "$arg\r\n"; flush $fd; return }
        read_line { return [string range [::resp::read_crlf $id] 0 end-2] }
        read_bytes { return [::resp::read_n $id $arg] }
        read_until {
            set out {}
            while {1} {
                set line [::resp::read_crlf $id]
                append out $line
                if {[string range $line 0 end-2] eq $arg} { return $out }
            }
        }
        read_eof  { return [::resp::read_eof $id] }
        cmd {
            puts -nonewline $fd "$arg\r\n"
            flush $fd
            return [string range [::resp::read_crlf $id] 0 end-2]
        }
        fd        { return $fd }
        close {
            catch {close $fd}
            unset st
            rename ::mc::client$id {}
            rename ::mc::resp$id {}
            return
        }
    }
    error "mc client: unknown operation '$op' (send sendline read_line\
        read_bytes read_until read_eof cmd fd close)"
}
