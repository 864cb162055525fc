# tests/integration/00-harness.tcl: tests of the test harness itself (RESP
# client, assertions, server lifecycle, differential helpers). They run
# against the oracle redis-server so they work before shoal-server exists.

# A one-shot mock server: every connection gets `bytes`, then is closed
# unless keep_open. Returns the listening socket; close it when done.
proc mock_server {bytes {keep_open 0}} {
    set port [find_available_port]
    set s [socket -server [list apply {{bytes keep_open fd host port} {
        fconfigure $fd -translation binary
        puts -nonewline $fd $bytes
        flush $fd
        if {!$keep_open} { close $fd } else { lappend ::mock_conns $fd }
    }} $bytes $keep_open] -myaddr 127.0.0.1 $port]
    return [list $s $port]
}

test {find_available_port gives distinct, bindable ports} {
    set ports {}
    for {set i 0} {$i < 20} {incr i} { lappend ports [find_available_port] }
    assert_equal [llength [lsort -unique $ports]] 20
    # A port in use must be skipped.
    set p [find_available_port]
    set held [socket -server {apply {args {}}} -myaddr 127.0.0.1 $p]
    set ::harness::port_next [expr {$p - $::baseport}]
    set next [find_available_port]
    close $held
    assert_not_equal $next $p
    foreach p $ports { assert [::harness::port_free $p] }
}

test {assertions fail with a message naming expected and got} {
    assert_error {Expected 'b', got 'a'*} {assert_equal a b}
    assert_error {Expected 'x' to match 'y*'*} {assert_match y* x}
    assert_error {Expected '11' to be between 1 and 10*} {assert_range 11 1 10}
    assert_error {assertion failed: 1 > 2*} {assert {1 > 2}}
    assert_error {Expected an error matching*} {assert_error * {set x 1}}
    assert_error {Expected an error matching 'foo*', got 'bar'*} {assert_error foo* {error bar}}
    assert_error {gave up*} {wait_for_condition 3 1 {0} else {fail "gave up"}}
    assert_equal [assert_error {bo*} {error boom}] boom
}

test {mock: RESP3 attribute, blob error, big number, nested error, null array} {
    lassign [mock_server [join {
        "|1\r\n+ttl\r\n:3\r\n+hello\r\n"
        "!9\r\nERR a\r\nb!\r\n"
        "(-12345678901234567890123\r\n"
        "*3\r\n:1\r\n-ERR inner\r\n\$-1\r\n"
        "*-1\r\n"
        "%1\r\n~2\r\n#t\r\n,-inf\r\n>1\r\n=7\r\nmkd:*x*\r\n"
    } {}] 1] s port
    set c [resp_client 127.0.0.1 $port -deferred 1]
    assert_equal [$c read] hello
    assert_equal [$c attributes] {ttl 3}
    assert_error "ERR a\r\nb!" {$c read}
    assert_equal [$c attributes] {}
    assert_equal [$c read] -12345678901234567890123
    assert_equal [$c read] {1 {ERR inner} {}}
    assert_equal [$c read] {}
    assert_equal [$c read] {{1 -inf} *x*}
    $c close
    close $s
}

test {client errors out on a truncated reply and on silence} {
    lassign [mock_server "\$10\r\nabc"] s port
    set c [resp_client 127.0.0.1 $port]
    assert_error {*closed*} {$c get x}
    $c close
    close $s
    lassign [mock_server {} 1] s port
    set c [resp_client 127.0.0.1 $port -timeout 0.2]
    set t0 [clock milliseconds]
    assert_error {*no reply*within 0.2 s*} {$c get x}
    assert_range [expr {[clock milliseconds] - $t0}] 150 5000
    $c close
    close $s
}

start_server [list binary $::oracle_redis enable-debug-command yes tags {harness}] {
    test {start_server: server answers, srv properties are sane} {
        assert_equal [r ping] PONG
        assert [::harness::alive [srv pid]]
        assert [file isdirectory [srv dir]]
        assert_equal [get_info_field [r info server] tcp_port] [srv port]
        assert_match "*Ready to accept connections*" \
            [wait_for_log_line "*Ready to accept connections*"]
        set n [log_line_count]
        assert_error "*no log line matching*" {
            wait_for_log_line "*Ready to accept connections*" -from $n -timeout 100
        }
    }

    test {wait_for_log_line -from [log_line_count] sees the very next line} {
        set n [log_line_count]
        r debug log "harness-marker-1"
        assert_match "*harness-marker-1*" [wait_for_log_line "*harness-marker-1*" -from $n -timeout 2000]
    }

    test {error replies raise Tcl errors carrying the error text} {
        assert_error {ERR unknown command*nosuchcmd*} {r nosuchcmd a}
        r set s v
        assert_error {WRONGTYPE*} {r lpush s x}
    }

    test {binary values with CR LF and NUL round-trip} {
        set v "a\r\nb\0c\r\n\$3\r\n*1\r\n"
        r set bin $v
        assert_equal [r get bin] $v
        assert_equal [r strlen bin] [string length $v]
        for {set i 0} {$i < 20} {incr i} {
            set v [randstring 0 2000 binary]
            r set bin $v
            assert_equal [r get bin] $v
        }
    }

    test {RESP3 types from HELLO 3 parse correctly} {
        set c [new_client]
        $c hello 3
        $c del h z
        $c hset h f1 v1 f2 v2
        assert_equal [lsort [$c hgetall h]] [lsort {f1 v1 f2 v2}]
        assert_equal [dict get [$c hgetall h] f2] v2
        $c zadd z 1.5 a
        assert_equal [$c zscore z a] 1.5
        assert_equal [$c get nokey] {}
        $c raw [resp_encode {zscore z a}]
        assert_equal [$c read_raw] ",1.5\r\n"
        $c raw [resp_encode {get nokey}]
        assert_equal [$c read_raw] "_\r\n"
        $c raw [resp_encode {hgetall h}]
        assert_match "%2\r\n*" [$c read_raw]
        assert_equal [$c debug protocol true] 1
        assert_equal [$c debug protocol false] 0
        assert_equal [$c debug protocol bignum] 1234567999999999999999999999999999999
        assert_equal [$c debug protocol set] {0 1 2}
        assert_equal [$c debug protocol map] {0 0 1 1 2 0}
        assert_equal [$c debug protocol verbatim] "This is a verbatim\nstring"
        assert_equal [$c debug protocol attrib] {Some real reply following the attribute}
        assert_equal [$c attributes] {key-popularity {key:123 90}}
        $c deferred 1
        $c debug protocol push
        assert_equal [$c read] {server-cpu-usage 42}
        assert_equal [$c read] {Some real reply following the push reply}
        $c close
    }

    test {deferred client pipelines 100 commands} {
        r del counter
        set c [deferring_client]
        for {set i 0} {$i < 100} {incr i} { $c incr counter }
        set got {}
        for {set i 0} {$i < 100} {incr i} { lappend got [$c read] }
        $c close
        set want {}
        for {set i 1} {$i <= 100} {incr i} { lappend want $i }
        assert_equal $got $want
    }

    test {raw mode reads exact bytes} {
        set c [new_client]
        $c raw "PING\r\n"
        assert_equal [$c read_raw] "+PONG\r\n"
        $c raw [resp_encode {set k abc}][resp_encode {get k}][resp_encode {mget k nokey}]
        assert_equal [$c read_line] "+OK"
        assert_equal [$c read_raw 9] "\$3\r\nabc\r\n"
        assert_equal [$c read_raw] "*2\r\n\$3\r\nabc\r\n\$-1\r\n"
        $c close
    }

    test {r -1 and srv -1 address the outer server from a nested one} {
        r set where outer
        start_server [list binary $::oracle_redis] {
            assert_not_equal [srv 0 port] [srv -1 port]
            r set where inner
            assert_equal [r -1 get where] outer
            assert_equal [r get where] inner
        }
        assert_equal [r get where] outer
    }

    test {a server that dies is detected and its stop is harmless} {
        start_server [list binary $::oracle_redis] {
            set pid [srv pid]
            exec kill -9 $pid
            wait_for_condition 100 10 {![::harness::alive $pid]} else {
                fail "kill -9 did not stop $pid"
            }
            assert_match "*is no longer running*" [::harness::dead_servers]
        }
        assert_equal [::harness::dead_servers] {}
    }

    test {sanitizer reports in a server log are found} {
        set d [::harness::new_dir fake]
        set srv [dict create stdout $d/stdout.log stderr $d/stderr.log]
        set fd [open $d/stdout.log w]; puts $fd "1:M ready"; close $fd
        set fd [open $d/stderr.log w]; puts $fd "clean"; close $fd
        assert_equal [::harness::sanitizer_report $srv] {}
        set fd [open $d/stderr.log a]
        puts $fd "==1==ERROR: AddressSanitizer: heap-use-after-free on address"
        close $fd
        assert_match "*heap-use-after-free*" [::harness::sanitizer_report $srv]
    }

    test {utilities: randstring, get_info_field, csvdump} {
        assert_range [string length [randstring 3 7 alpha]] 3 7
        assert [regexp {^[0-4]*$} [randstring 50 50 compr]]
        assert_equal [get_info_field "# S\r\nfoo:bar\r\nfoobar:baz\r\n" foo] bar
        assert_equal [get_info_field "foo:bar\r\n" nope] {}
        r flushall
        r set s "a\"b"
        r rpush l x y
        assert_equal [csvdump] "\"l\",\"list\",\"x\",\"y\"\n\"s\",\"string\",\"a\"\"b\"\n"
    }

    start_oracle_redis {} {
        test {assert_same passes on identical replies, fails on different ones} {
            r set k same
            oracle set k same
            assert_equal [assert_same {get k}] "\$4\r\nsame\r\n"
            assert_same {mget k nokey}
            assert_same {nosuchcmd x}
            r set k mine
            oracle set k theirs
            set err [assert_error {*replies differ*} {assert_same {get k}}]
            assert {[string first {server: '$4\r\nmine\r\n'} $err] >= 0}
            assert {[string first {oracle: '$6\r\ntheirs\r\n'} $err] >= 0}
            # A mask hides a legitimately different value.
            assert_same {get k} {\$\d+\r\n(mine|theirs)}
            assert_error {*replies differ*} {assert_same {strlen k} {mine|theirs}}
        }

        test {assert_same_raw compares raw protocol input, including closes} {
            assert_same_raw "PING\r\n"
            assert_same_raw "*1\r\n\$4\r\nPING\r\n*2\r\n\$4\r\nECHO\r\n\$2\r\nhi\r\n" 2
            assert_same_raw "*1\r\n\$x\r\n" eof
            r set k mine
            oracle set k theirs
            assert_error {*replies differ*} {assert_same_raw "GET k\r\n"}
        }
    }
}

start_oracle_memcached {
    test {memcached oracle and raw mc client} {
        assert_match "VERSION *" [mc_oracle cmd version]
        mc_oracle sendline "set k 0 0 5"
        mc_oracle send "a\r\nbc\r\n"
        assert_equal [mc_oracle read_line] STORED
        mc_oracle sendline "get k"
        assert_equal [mc_oracle read_until END] "VALUE k 0 5\r\na\r\nbc\r\nEND\r\n"
        mc_oracle sendline "get k"
        assert_equal [mc_oracle read_line] "VALUE k 0 5"
        assert_equal [mc_oracle read_bytes 7] "a\r\nbc\r\n"
        assert_equal [mc_oracle read_line] END
    }
}
