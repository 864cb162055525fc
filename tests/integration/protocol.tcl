# tests/integration/protocol.tcl: the RESP request layer of shoal-server.
#
# Differential where Redis defines the answer: bad multibulk and bulk
# headers, oversized lengths, unbalanced inline quotes, unknown-command and
# arity texts, requests split at every byte, RESP3 after HELLO 3 are sent
# raw to shoal-server and to redis-server 7.0.15 and the reply bytes (and
# the close after a protocol error) must match. Then what only load shows:
# a 100k-command pipeline in one write, big replies under backpressure,
# 1000 concurrent clients, clients that vanish mid-request and mid-reply.

# Byte string of n bytes cycling through all 256 values.
proc all_bytes {n} {
    set s {}
    for {set i 0} {$i < $n} {incr i} { append s [format %c [expr {$i % 256}]] }
    return $s
}

# Sends bytes one at a time with a flush after each, then reads nreplies.
proc trickle {host port bytes nreplies} {
    set c [resp_client $host $port]
    try {
        foreach ch [split $bytes {}] { $c raw $ch }
        set out {}
        for {set i 0} {$i < $nreplies} {incr i} { append out [$c read_raw] }
        return $out
    } finally {
        $c close
    }
}

# A raw non-blocking socket: writes `bytes` in the background (Tcl flushes
# as the server reads) and reads until `want` bytes arrived or timeout.
proc pipeline_exchange {port bytes want {timeout_ms 60000}} {
    set fd [socket 127.0.0.1 $port]
    fconfigure $fd -translation binary -blocking 0 -buffering full -buffersize 1048576
    puts -nonewline $fd $bytes
    flush $fd
    set ::pipe_buf {}
    set ::pipe_done {}
    fileevent $fd readable [list apply {{fd want} {
        append ::pipe_buf [read $fd]
        if {[eof $fd] || [string length $::pipe_buf] >= $want} { set ::pipe_done 1 }
    }} $fd $want]
    set timer [after $timeout_ms {set ::pipe_done timeout}]
    vwait ::pipe_done
    after cancel $timer
    fileevent $fd readable {}
    close $fd
    return $::pipe_buf
}

start_server {tags {protocol}} {
start_oracle_redis {} {

    test {bad multibulk headers: same error, then the connection closes} {
        foreach bytes {
            "*x\r\n" "*\r\n" "*+1\r\n" "*01\r\n" "*1 \r\n" "*2147483648\r\n"
            "*99999999999999999999\r\n" "*1\r\n\$-1\r\n" "*1\r\n\$x\r\n" "*1\r\n\$\r\n"
            "*1\r\n\$+3\r\n" "*1\r\n\$3000000000\r\n"
        } {
            assert_same_raw $bytes eof
        }
    }

    test {expected '\$', got 'X' (and the replies before it stay)} {
        assert_same_raw "*1\r\n+foo\r\n" eof
        assert_same_raw "*2\r\n\$4\r\nECHO\r\n\$1\r\nx\r\n*2\r\n\$1\r\na\r\n:1\r\n" eof
        assert_same_raw "PING\r\n*1\r\n*1\r\n" eof
        assert_same_raw "*1\r\n\r\n" eof
        assert_same_raw "*1\r\n\xff\r\n" eof
    }

    test {empty requests: *0, *-1, negative counts, blank lines} {
        assert_same_raw "*0\r\n*-1\r\n*-7\r\n\r\n\n   \r\n*1\r\n\$4\r\nPING\r\n" 1
    }

    test {too big inline request and too big count strings close the client} {
        assert_same_raw [string repeat a 70000] eof
        assert_same_raw "*[string repeat 1 70000]" eof
        assert_same_raw "*1\r\n\$[string repeat 1 70000]" eof
    }

    test {inline quoting and escapes as sdssplitargs} {
        assert_same_raw "ECHO \"a\\x41\\n\\t\\\\\"\r\nECHO 'it\\'s'\r\nECHO \"\\x4\" \r\n" 3
        assert_same_raw "ECHO \"\\x00\\xff\\xFe\"\r\nECHO a\"b c\"\r\nECHO ''\r\n" 3
        assert_same_raw "  SET   pk  \"x y\"  \r\nGET pk\r\n\tECHO\tz\r\n" 3
    }

    test {unbalanced quotes in an inline request} {
        foreach line {"ECHO \"abc" "ECHO 'abc" "ECHO \"a\"b" "ECHO 'a'b" "ECHO \"a\\"} {
            assert_same_raw "$line\r\n" eof
        }
    }

    test {unknown command text (args beginning with, 128-byte caps, newlines)} {
        assert_same {foo}
        assert_same {foo a b}
        assert_same [list foo [string repeat x 200] y]
        assert_same [list foo [string repeat y 100] [string repeat z 100] w]
        assert_same [list [string repeat c 200] a]
        assert_same [list foo "a\r\nb" "c\nd"]
        assert_same [list foo "a\0b" c]
        assert_same [list {} x]
        assert_same [list foo {} {}]
        assert_same_raw "nosuchcmd 'x y' z\r\n"
    }

    test {wrong number of arguments texts} {
        foreach cmd {
            {get} {set k} {get a b} {incr} {mget} {del} {ping a b} {echo}
            {config} {config get} {client} {object} {object encoding}
            {config foo} {client nosuch} {debug}
        } {
            assert_same $cmd
        }
    }

    test {a SET with a binary value sent one byte at a time} {
        set val [all_bytes 300]
        set req [resp_encode [list set split:k $val]][resp_encode [list get split:k]]
        set a [trickle [srv host] [srv port] $req 2]
        set b [trickle [oracle_srv host] [oracle_srv port] $req 2]
        assert_equal [resp_escape $a] [resp_escape $b]
        assert_equal $a "+OK\r\n\$300\r\n$val\r\n"
        # inline, one byte at a time
        set req "SET split:i \"q\\x41 z\"\r\nGET split:i\r\n"
        set a [trickle [srv host] [srv port] $req 2]
        set b [trickle [oracle_srv host] [oracle_srv port] $req 2]
        assert_equal $a $b
        assert_equal $a "+OK\r\n\$4\r\nqA z\r\n"
    }

    test {proto-max-bulk-len is enforced as redis does} {
        r config set proto-max-bulk-len 1048576
        oracle config set proto-max-bulk-len 1048576
        try {
            assert_same_raw "*3\r\n\$3\r\nSET\r\n\$2\r\npb\r\n\$1048577\r\n" eof
            set v [string repeat v 1048576]
            assert_same_raw [resp_encode [list set pb $v]][resp_encode {strlen pb}] 2
        } finally {
            r config set proto-max-bulk-len 536870912
            oracle config set proto-max-bulk-len 536870912
        }
    }

    test {RESP3 after HELLO 3: null, map, double, errors} {
        set req [resp_encode {hello 3}]
        foreach cmd {{get nokey} {config get maxmemory-policy} {incrbyfloat f 1.5} {nosuch x}
                     {set k v} {get k} {hello 2} {get nokey}} {
            append req [resp_encode $cmd]
        }
        assert_same_raw "[resp_encode {del f}]$req" 10 {id\r\n:[0-9]+}
    }
    test {RESP2 replies to 'hello' of a wrong version, inline and multibulk mixed} {
        assert_same_raw "[resp_encode {hello 4}]PING\r\n[resp_encode {echo x}]ECHO y\r\n" 4
    }

    test {NUL and high bytes in multibulk arguments are kept} {
        set v "\0\x01\xff\r\n\0"
        assert_same_raw "[resp_encode [list set nb $v]][resp_encode {get nb}][resp_encode {strlen nb}]" 3
    }
}

    test {inline request with a NUL byte is served, not looped on} {
        set c [new_client]
        $c raw "ECHO a\0b\r\nPING\r\n"
        assert_equal [$c read] a
        assert_equal [$c read] PONG
        $c raw "\0\r\nPING\r\n"
        assert_equal [$c read] PONG
        $c close
        # redis waits here (its strchr stops at the NUL); the node answers
        set c [new_client]
        $c raw "*1\r\n\0\r\n"
        assert_match "-ERR Protocol error: expected '\$', got '*" [$c read_eof]
        $c close
        assert_equal [r ping] PONG
    }

    test {100k commands in one write: every reply, in order} {
        r del pipe:n
        set n 100000
        set req [string repeat [resp_encode {incr pipe:n}] $n]
        set want {}
        for {set i 1} {$i <= $n} {incr i} { append want ":$i\r\n" }
        set got [pipeline_exchange [srv port] $req [string length $want]]
        assert_equal [string length $got] [string length $want]
        assert {$got eq $want}
        assert_equal [r get pipe:n] $n
    }

    test {big replies under backpressure: all of them arrive} {
        # 120 GETs of 200 KB in one write is 24 MB of replies: the node
        # pauses the client past 1 MiB unsent and must resume it each time
        set val [string repeat x 200000]
        r set pipe:big $val
        set n 120
        set one "\$200000\r\n$val\r\n"
        set got [pipeline_exchange [srv port] [string repeat [resp_encode {get pipe:big}] $n] \
            [expr {$n * [string length $one]}] 30000]
        assert_equal [string length $got] [expr {$n * [string length $one]}]
        assert {$got eq [string repeat $one $n]}
        assert_equal [r ping] PONG
    }

    test {1000 concurrent clients each SET and GET} {
        set n 1000
        set before [get_info_field [r info clients] connected_clients]
        set clients {}
        for {set i 0} {$i < $n} {incr i} {
            lappend clients [new_client -deferred 1]
        }
        assert_equal [get_info_field [r info clients] connected_clients] [expr {$before + $n}]
        set i 0
        foreach c $clients { $c set conc:$i v$i; incr i }
        foreach c $clients { assert_equal [$c read] OK }
        set i 0
        foreach c $clients { $c get conc:$i; incr i }
        set i 0
        foreach c $clients { assert_equal [$c read] v$i; incr i }
        foreach c $clients { $c close }
        wait_for_condition 100 50 {
            [get_info_field [r info clients] connected_clients] <= $before
        } else {
            fail "clients were not released: [get_info_field [r info clients] connected_clients]"
        }
        assert_equal [llength [r keys conc:*]] $n
    }

    test {clients that vanish mid-request and mid-reply do not hurt the node} {
        set before [get_info_field [r info clients] connected_clients]
        # mid-request: a bulk announced but never finished
        for {set i 0} {$i < 20} {incr i} {
            set c [new_client]
            $c raw "*3\r\n\$3\r\nSET\r\n\$4\r\ngone\r\n\$100000\r\n[string repeat z 5000]"
            $c close
        }
        # mid-multibulk-header and mid-inline
        set c [new_client]; $c raw "*3\r\n\$3\r\nSE"; $c close
        set c [new_client]; $c raw "ECHO \"unfinished"; $c close
        # mid-reply: 20 MB of replies requested, then gone without reading
        r set gone:big [string repeat y 1000000]
        for {set i 0} {$i < 5} {incr i} {
            set c [new_client]
            $c raw [string repeat [resp_encode {get gone:big}] 20]
            after 50
            $c close
        }
        wait_for_condition 100 50 {
            [get_info_field [r info clients] connected_clients] == $before
        } else {
            fail "vanished clients still listed: [get_info_field [r info clients] connected_clients]"
        }
        assert_equal [r exists gone] 0
        assert_equal [r strlen gone:big] 1000000
        assert_equal [r ping] PONG
    }
}

start_server {tags {protocol} requirepass secret} {
start_oracle_redis {requirepass secret} {
    test {unauthenticated clients get redis's small limits} {
        assert_same_raw "*11\r\n" eof
        assert_same_raw "*1\r\n\$16385\r\n" eof
        assert_same_raw "*2\r\n\$3\r\nGET\r\n\$16384\r\n[string repeat k 16384]\r\n" 1
        assert_same_raw "[resp_encode {auth secret}]*11\r\n" 1
        assert_same_raw "[resp_encode {auth secret}][resp_encode [lrepeat 11 x]]" 2
        assert_same_raw "[resp_encode {auth secret}][resp_encode [list echo [string repeat e 20000]]]" 2
    }
}
}
