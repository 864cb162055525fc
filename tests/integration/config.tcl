# tests/integration/config.tcl: CONFIG GET/SET/RESETSTAT/HELP. Error texts
# and the replies for options both servers have are compared with
# redis-server 7.0.15; atomicity of multi-pair SET and the effect of the
# options are checked on Shoal.

start_server {tags {config}} {
    start_oracle_redis {} {
        test {CONFIG GET of shared options matches redis} {
            foreach name {maxmemory maxmemory-samples maxmemory-policy hz timeout
                          maxmemory-eviction-tenacity lfu-log-factor lfu-decay-time
                          databases tcp-keepalive maxclients proto-max-bulk-len
                          client-query-buffer-limit active-expire-effort MAXMEMORY
                          nosuch nosuch* {}} {
                assert_same [list config get $name]
            }
            assert_same {config get}
        }

        test {CONFIG SET errors match redis} {
            foreach args {
                {foo bar} {maxmemory xx} {maxmemory 10 maxmemory 20} {maxmemory 10 foo}
                {daemonize yes} {databases 3} {hz abc} {timeout -1} {maxmemory-policy foo}
                {maxmemory 10 hz x} {maxmemory 10 nosuch 1}
                {nosuch 1 maxmemory xx} {daemonize yes nosuch 1}
                {maxmemory}
            } {
                assert_same [concat config set $args]
            }
            assert_same {config get maxmemory}
            assert_same {config get hz}
        }

        test {CONFIG SET then GET matches redis} {
            foreach c {{config set maxmemory 1mb} {config get maxmemory}
                       {config set maxmemory 2gb maxmemory-samples 7} {config get maxmemory}
                       {config get maxmemory-samples} {config set maxmemory-policy ALLKEYS-LRU}
                       {config get maxmemory-policy} {config set maxmemory 0 maxmemory-policy noeviction}
                       {config set maxmemory-samples 5} {config set timeout 0}} {
                assert_same $c
            }
        }

        test {CONFIG GET replies a map in RESP3, as redis} {
            r hello 3
            oracle hello 3
            assert_same {config get maxmemory}
            assert_same {config get nosuch}
            r hello 2
            oracle hello 2
        }

        test {CONFIG subcommand errors match redis} {
            foreach c {{config foo} {config} {config resetstat x} {config help x}} {
                assert_same $c
            }
            assert_same {config resetstat}
        }
    }

    test {CONFIG GET takes globs and several patterns, each option once} {
        set all [r config get *]
        assert_equal [expr {[llength $all] % 2}] 0
        assert {[llength $all] >= 40}
        set d [r config get maxmemory maxmemory* hz]
        assert_equal [dict get $d maxmemory] 0
        assert_equal [dict get $d hz] [dict get $all hz]
        assert {[dict exists $d maxmemory-policy] && [dict exists $d maxmemory-samples]}
        set names [dict keys $d]
        assert_equal [llength $names] [llength [lsort -unique $names]]
        assert_equal [llength $d] [expr {2 * [llength $names]}]
        assert_equal [r config get max?emory] {maxmemory 0}
        assert_equal [r config get {maxmemory-[ps]*}] [r config get maxmemory-policy maxmemory-samples]
    }

    test {CONFIG SET of several pairs is all or nothing} {
        r config set maxmemory 1000000 maxmemory-samples 9
        assert_error {*argument 'hz'*} {r config set maxmemory 2000000 maxmemory-samples 3 hz nope}
        assert_equal [r config get maxmemory] {maxmemory 1000000}
        assert_equal [r config get maxmemory-samples] {maxmemory-samples 9}
        assert_error {*argument 'client-output-buffer-limit'*} {
            r config set maxmemory 3000000 client-output-buffer-limit "normal x y z"
        }
        assert_equal [r config get maxmemory] {maxmemory 1000000}
        assert_equal [r config get client-output-buffer-limit] \
            {client-output-buffer-limit {normal 512mb 128mb 60}}
        assert_error {*Unknown option*'nosuch'*} {r config set maxmemory 5 nosuch 1}
        assert_equal [r config get maxmemory] {maxmemory 1000000}
        assert_equal [r config set maxmemory 0 maxmemory-samples 5] OK
        assert_equal [r config get maxmemory maxmemory-samples] {maxmemory 0 maxmemory-samples 5}
    }

    test {CONFIG SET takes effect: maxmemory refuses writes, timeout closes idle clients} {
        r flushall
        r config set maxmemory 1 maxmemory-policy noeviction
        assert_error {OOM*} {r set k v}
        r config set maxmemory 0
        assert_equal [r set k v] OK
        set c [new_client]
        set id [$c client id]
        # c goes idle for 3 s of node time; r stays busy (each command
        # refreshes it), so only c passes the 1 s timeout.
        r debug jump 3000
        r config set timeout 1
        wait_for_condition 100 20 {![string match "*id=$id *" [r client list]]} else {
            fail "idle client was not closed after the timeout"
        }
        r config set timeout 0
        r debug reset-clock
        assert_error {*} {$c ping}
        $c close
    }

    test {CONFIG SET loglevel changes what the log shows} {
        r config set loglevel debug
        assert_equal [r config get loglevel] {loglevel debug}
        set n [log_line_count]
        set c [new_client]
        $c ping
        wait_for_log_line "*Accepted*" -from $n
        $c close
        r config set loglevel notice
    }

    test {CONFIG RESETSTAT zeroes the counters} {
        r get nokey
        catch {r nosuchcommand}
        r config resetstat
        set st [r info stats]
        assert_equal [get_info_field $st keyspace_misses] 0
        assert_equal [get_info_field $st total_error_replies] 0
        assert_equal [r info errorstats] "# Errorstats\r\n"
        assert_equal [get_info_field $st total_commands_processed] 1
    }

    test {CONFIG HELP lists the subcommands} {
        set h [r config help]
        assert_match {CONFIG <subcommand>*} [lindex $h 0]
        foreach s {GET* SET* RESETSTAT HELP} {
            assert {[lsearch -glob $h $s] >= 0}
        }
    }

    test {redis-cli --no-raw config get '*' lists every option} {
        set out [exec redis-cli -h 127.0.0.1 -p [srv port] --no-raw config get *]
        set lines [split [string trim $out] "\n"]
        assert_equal [llength $lines] [llength [r config get *]]
        assert_match {*"maxmemory-policy"*} $out
    }
}

test {shoal-server --help lists every option once, each with its default} {
    set out [exec $::server_binary --help]
    set names {}
    foreach line [split $out "\n"] {
        if {[regexp {^  --([a-z0-9-]+) .*\(default: [^)]*\)$} $line -> name]} { lappend names $name }
    }
    assert {[llength $names] > 40}
    assert_equal [llength $names] [llength [lsort -unique $names]] \
        "duplicated options: [lsort [lmap n $names {expr {[llength [lsearch -all $names $n]] > 1 ? $n : [continue]}}]]"
}
