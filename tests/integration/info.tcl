# tests/integration/info.tcl: the INFO command. Section selection and the
# reply framing are compared with redis-server 7.0.15; the counters are
# checked against what the test itself did to a fresh node.

proc info_sections {text} {
    set out {}
    foreach line [split $text "\n"] {
        if {[regexp {^# (\S+)} $line -> name]} { lappend out $name }
    }
    return $out
}

proc info_field {section field} {
    get_info_field [r info $section] $field
}

start_server {tags {info}} {
    start_oracle_redis {} {
        test {INFO section selection matches redis} {
            foreach args {{} {default} {all} {everything} {server} {Server Clients}
                          {keyspace memory} {commandstats} {errorstats} {cpu replication}
                          {nosuch} {nosuch server}} {
                set mine [info_sections [r info {*}$args]]
                set theirs [info_sections [oracle info {*}$args]]
                # Latencystats is a Redis histogram Shoal does not keep.
                set theirs [lsearch -all -inline -not -exact $theirs Latencystats]
                assert_equal $mine $theirs "INFO $args"
            }
        }

        test {INFO framing matches redis: sections, CRLF, verbatim in RESP3} {
            assert_same {info nosuch}
            assert_same {info cluster}
            assert_same {info modules}
            r flushall
            oracle flushall
            assert_same {info keyspace}
            r set k v
            oracle set k v
            assert_same {info keyspace}
            assert_same {info replication} {master_replid:[0-9a-f]+}
            r hello 3
            oracle hello 3
            assert_same {info nosuch}
            assert_same {info keyspace}
            r hello 2
            oracle hello 2
            r flushall
            oracle flushall
        }

        test {INFO fields redis's tools read exist on Shoal too} {
            set fields {
                server {redis_version redis_mode os arch_bits multiplexing_api process_id run_id
                        tcp_port uptime_in_seconds uptime_in_days hz configured_hz lru_clock
                        executable config_file}
                clients {connected_clients maxclients blocked_clients
                         client_recent_max_input_buffer client_recent_max_output_buffer}
                memory {used_memory used_memory_human used_memory_rss used_memory_rss_human
                        used_memory_peak used_memory_peak_human used_memory_startup
                        used_memory_dataset total_system_memory maxmemory maxmemory_human
                        maxmemory_policy mem_fragmentation_ratio mem_allocator}
                persistence {loading rdb_changes_since_last_save rdb_bgsave_in_progress
                             rdb_last_save_time rdb_last_bgsave_status aof_enabled
                             aof_rewrite_in_progress}
                stats {total_connections_received total_commands_processed
                       instantaneous_ops_per_sec total_net_input_bytes total_net_output_bytes
                       rejected_connections expired_keys evicted_keys keyspace_hits
                       keyspace_misses pubsub_channels latest_fork_usec total_error_replies}
                replication {role connected_slaves master_repl_offset}
                cpu {used_cpu_sys used_cpu_user used_cpu_sys_children used_cpu_user_children}
            }
            foreach {section names} $fields {
                set mine [r info $section]
                set theirs [oracle info $section]
                foreach f $names {
                    assert_match "*\n$f:*" $theirs
                    assert_match "*\n$f:*" $mine
                }
            }
            assert_equal [get_info_field [r info replication] role] master
            assert_equal [get_info_field [r info replication] connected_slaves] 0
        }
    }

    test {INFO server identifies the node} {
        set s [r info server]
        assert_equal [get_info_field $s redis_version] 7.0.15
        assert_match {[0-9]*.[0-9]*} [get_info_field $s shoal_version]
        assert_equal [get_info_field $s process_id] [srv pid]
        assert_equal [get_info_field $s tcp_port] [srv port]
        assert_match {[0-9a-f]*} [get_info_field $s run_id]
        assert_equal [string length [get_info_field $s run_id]] 40
        assert_range [get_info_field $s uptime_in_seconds] 0 600
    }

    test {connected_clients and total_connections_received follow connections} {
        set before [info_field clients connected_clients]
        set total [info_field stats total_connections_received]
        set c [new_client]
        $c ping
        assert_equal [info_field clients connected_clients] [expr {$before + 1}]
        assert_equal [info_field stats total_connections_received] [expr {$total + 1}]
        $c close
        wait_for_condition 50 20 {[info_field clients connected_clients] == $before} else {
            fail "connected_clients did not go back to $before"
        }
    }

    test {keyspace_hits/misses, total_commands_processed and errors count} {
        r config resetstat
        r set hk v
        r get hk
        r get hk
        r get nokey
        catch {r incr hk}
        catch {r hello 9}
        set st [r info stats]
        assert_equal [get_info_field $st keyspace_hits] 2
        assert_equal [get_info_field $st keyspace_misses] 1
        # resetstat, set, 3 gets, incr, hello and this info
        assert_equal [get_info_field $st total_commands_processed] 7
        assert_equal [get_info_field $st total_error_replies] 2
        set es [r info errorstats]
        assert_match "*errorstat_ERR:count=1\r\n*" $es
        assert_match "*errorstat_NOPROTO:count=1\r\n*" $es
    }

    test {commandstats: calls, usec, failed_calls per command and subcommand} {
        r config resetstat
        r set a 1
        r set b 2
        catch {r set}
        catch {r incr nokeyx x}
        r config get hz
        catch {r object freq a}
        set cs [r info commandstats]
        assert_match "*cmdstat_set:calls=2,usec=*,usec_per_call=*,rejected_calls=0,failed_calls=0\r\n*" $cs
        assert_match "*cmdstat_config|get:calls=1,*" $cs
        assert_match "*cmdstat_object|freq:calls=1,*,failed_calls=1\r\n*" $cs
        assert {![string match "*cmdstat_get:*" $cs]}
        r config resetstat
        set cs [r info commandstats]
        assert {![string match "*cmdstat_set:*" $cs]}
    }

    test {expired_keys counts lazily expired keys} {
        r config resetstat
        r set e1 v px 100
        r set e2 v px 100
        assert_equal [info_field keyspace db0] [format "keys=%d,expires=2,avg_ttl=%s" \
            [r dbsize] [lindex [split [info_field keyspace db0] =] end]]
        r debug jump 1000
        r get e1
        r get e2
        r debug reset-clock
        assert_equal [info_field stats expired_keys] 2
    }

    test {used_memory grows with data and maxmemory is reported} {
        r flushall
        set m0 [info_field memory used_memory]
        for {set i 0} {$i < 100} {incr i} { r set big:$i [string repeat x 10000] }
        set m1 [info_field memory used_memory]
        assert {$m1 - $m0 >= 1000000}
        assert_match {*[KMG]} [info_field memory used_memory_human]
        assert {[info_field memory used_memory_peak] >= $m1}
        r config set maxmemory 100mb
        assert_equal [info_field memory maxmemory] 104857600
        assert_equal [info_field memory maxmemory_human] 100.00M
        r config set maxmemory-policy allkeys-lru
        assert_equal [info_field memory maxmemory_policy] allkeys-lru
        assert {[regexp {^(jemalloc-[0-9.]+|libc)$} [info_field memory mem_allocator]]}
        r config set maxmemory 0
        r config set maxmemory-policy noeviction
        r flushall
    }

    test {evicted_keys counts evictions} {
        r flushall
        r config resetstat
        set used [info_field memory used_memory]
        r config set maxmemory-policy allkeys-random
        r config set maxmemory [expr {$used + 300000}]
        for {set i 0} {$i < 100} {incr i} { r set ev:$i [string repeat x 10000] }
        assert {[info_field stats evicted_keys] > 0}
        assert {[r dbsize] < 100}
        r config set maxmemory 0
        r config set maxmemory-policy noeviction
        r flushall
    }

    test {rejected_connections counts refusals at maxclients} {
        r config resetstat
        set n [info_field clients connected_clients]
        r config set maxclients $n
        set c [new_client]
        assert_error {*max number of clients reached*} {$c ping}
        $c close
        r config set maxclients 10000
        assert_equal [info_field stats rejected_connections] 1
    }

    test {keyspace lists every non-empty database} {
        r flushall
        r set a 1
        r select 3
        r set b 1
        r set c 1 ex 100
        r select 0
        set ks [r info keyspace]
        assert_match "*db0:keys=1,expires=0,avg_ttl=*" $ks
        assert_match "*db3:keys=2,expires=1,avg_ttl=*" $ks
        assert {![string match "*db1:*" $ks]}
        r flushall
        assert_equal [r info keyspace] "# Keyspace\r\n"
    }

    test {redis-cli info and redis-py info() parse the reply} {
        set out [exec redis-cli -h 127.0.0.1 -p [srv port] info server]
        assert_match "*tcp_port:[srv port]*" $out
        set py {
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))
i = r.info("everything")
assert i["role"] == "master"
assert i["connected_clients"] >= 1
assert "cmdstat_info" in i or "cmdstat_info" in r.info("commandstats")
print("ok")
}
        assert_equal [exec /usr/bin/python3 -c $py [srv port]] ok
    }
}
