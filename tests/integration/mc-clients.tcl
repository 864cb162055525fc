# tests/integration/mc-clients.tcl: real Memcached clients against the
# node: Debian's python3-pymemcache and libmemcached's tools (memccp,
# memccat, memcrm, memcstat, memcexist, memctouch, memcflush, memcslap).
# Each run checks what the client reports and what the node then holds.

# Runs a Python snippet with pymemcache connected to the node's mc-port;
# the snippet's stdout is returned (an exception fails the test).
proc pymc {code} {
    set script "import sys\nfrom pymemcache.client.base import Client\n"
    append script "c = Client(('127.0.0.1', [srv mc_port]), connect_timeout=5, timeout=5)\n"
    append script $code
    if {[catch {exec /usr/bin/python3 -c $script 2>@1} out]} {
        fail "pymemcache failed:\n$out"
    }
    return $out
}

proc memtool {tool args} {
    return [exec /usr/bin/$tool --servers=127.0.0.1:[srv mc_port] {*}$args 2>@1]
}

proc mc_stat_value {name} {
    mc send "stats\r\n"
    set v {}
    while {[set l [mc read_line]] ne "END"} {
        if {[lindex $l 1] eq $name} { set v [lindex $l 2] }
    }
    return $v
}

start_server {mc-port auto tags {memcached clients}} {

    test {pymemcache: set get gets cas incr decr delete get_many add replace append touch} {
        set out [pymc {
assert c.set('k', b'v1')
assert c.get('k') == b'v1'
val, cas = c.gets('k')
assert val == b'v1' and cas is not None
assert c.cas('k', b'v2', cas)
assert c.cas('k', b'v3', cas) is False
assert c.get('k') == b'v2'
assert c.set('n', b'10')
assert c.incr('n', 5) == 15
assert c.decr('n', 20) == 0
assert c.incr('missing', 1) is None
assert c.delete('k')
assert c.delete('k', noreply=False) is False
assert c.get('k') is None
c.set_many({'a': b'1', 'b': b'2', 'c': b'3'})
assert c.get_many(['a', 'b', 'c', 'zz']) == {'a': b'1', 'b': b'2', 'c': b'3'}
assert c.add('a', b'x', noreply=False) is False
assert c.replace('a', b'y', noreply=False)
assert c.append('a', b'z', noreply=False)
assert c.get('a') == b'yz'
assert c.touch('a', 100, noreply=False)
assert c.set('f', b'flagged', flags=42)
print(c.get('f'), c.stats()[b'curr_items'], c.version())
}]
        assert_equal $out "b'flagged' 5 b'1.6.18'"
        assert_equal [r get a] yz
        assert_equal [r get n] "0 "   ;# decr keeps the length, space-padded (E8)
        assert_equal [lindex [mc cmd "mg f f"] 0] HD
    }

    test {pymemcache: a value set over RESP reads back} {
        r set fromresp hello
        assert_equal [pymc {print(c.get('fromresp').decode(), c.get_many(['fromresp', 'nope']))}] \
            "hello {'fromresp': b'hello'}"
    }

    test {libmemcached tools: memccp memccat memcexist memctouch memcrm} {
        set dir [::harness::new_dir files]
        set f [file join $dir blob.txt]
        set data "line one\nline two [string repeat x 5000]\n"
        set fd [open $f w]
        fconfigure $fd -translation binary
        puts -nonewline $fd $data
        close $fd
        memtool memccp $f
        assert {[r get blob.txt] eq $data}
        # memccat prints the value and a newline; exec drops one newline
        assert {[memtool memccat blob.txt] eq $data}
        memtool memcexist blob.txt
        memtool memctouch --expire=100 blob.txt
        assert_range [r ttl blob.txt] 99 100
        memtool memcrm blob.txt
        assert_equal [r exists blob.txt] 0
        assert {[catch {memtool memcexist blob.txt}]}
    }

    test {libmemcached tools: memcstat and memcflush} {
        r set s1 v
        set st [memtool memcstat]
        assert_match "*Server: 127.0.0.1 ([srv mc_port])*" $st
        assert_match "*version: 1.6.18*" $st
        assert_match "*curr_items: *" $st
        assert_match "*evictions: *" $st
        memtool memcflush
        assert_equal [r dbsize] 0
    }

    test {memcslap: set, get and mget runs with 4 threads} {
        mc cmd "stats reset"
        foreach t {set get mget} {
            set out [memtool memcslap --concurrency=4 --execute-number=1000 --test=$t]
            assert_match "*keys by    4 threads*" $out
        }
        # get/mget load their 1000 keys first: 4000 + 1000 + 1000 sets
        assert_equal [mc_stat_value cmd_set] 6000
        assert_equal [mc_stat_value get_misses] 0
        assert {[mc_stat_value get_hits] >= 8000}
        assert_equal [mc_stat_value curr_items] [r dbsize]
    }
}
