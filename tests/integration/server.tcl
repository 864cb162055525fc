# tests/integration/server.tcl: connection and server commands (PING ECHO
# HELLO AUTH SELECT QUIT RESET CLIENT COMMAND TIME SHUTDOWN OBJECT MEMORY
# DBSIZE FLUSHDB FLUSHALL). Replies are compared byte for byte with
# redis-server 7.0.15 wherever they are deterministic; the rest (client
# ids, kills, shutdown, real client libraries) is checked on Shoal alone.

# Masks for values that legitimately differ between the two servers.
set ::mask_hello_id {id\r\n:\d+}
set ::mask_digits {\d+}

start_server {tags {server}} {
    start_oracle_redis {} {
        test {PING and ECHO match redis} {
            assert_same {ping}
            assert_same {ping hello}
            assert_same {ping a b}
            assert_same [list ping "bin\r\n\0ary"]
            assert_same {echo x}
            assert_same {echo}
            assert_same {echo a b}
        }

        test {SELECT matches redis, including range and integer errors} {
            foreach id {0 15 16 -1 x 99999999999 2147483648 1.5 {}} {
                assert_same [list select $id]
            }
            assert_same {select 0}
        }

        test {HELLO errors match redis} {
            foreach args {{1} {4} {x} {-1} {3 foo} {3 auth a} {3 setname} {2 auth}
                          {3 setname {a b}} {3 auth nosuchuser pw}} {
                assert_same [concat hello $args]
            }
        }

        test {HELLO 2 and HELLO 3 replies match redis (id masked)} {
            assert_same {hello 2} $::mask_hello_id
            assert_same {hello} $::mask_hello_id
            assert_same {hello 3 setname hname} $::mask_hello_id
            # RESP3 now: nulls and maps in their RESP3 form
            assert_same {client getname}
            assert_same {get nosuchkey}
            assert_same {config get maxmemory-samples}
            assert_same {hello 3 auth default anything} $::mask_hello_id
            assert_same {hello 2} $::mask_hello_id
            assert_same {client getname}
            assert_same {client setname {}}
            assert_same {client getname}
        }

        test {AUTH without requirepass matches redis} {
            assert_same {auth x}
            assert_same {auth default x}
            assert_same {auth someone x}
            assert_same {auth a b c}
            assert_same {auth}
        }

        test {CLIENT errors and SETNAME/GETNAME match redis} {
            foreach args {
                {kill 1.2.3.4:5} {kill id 999999} {kill id x} {kill id 0} {kill id -3}
                {kill foo bar} {kill skipme maybe} {kill type foo} {kill user nosuch}
                {kill addr 1.1.1.1:1 skipme no} {kill type master} {kill id 5 addr}
                {list type foo} {list id x} {list foo} {list id 999999}
                {list type master} {list type pubsub} {list type normal extra}
                {foo} {setname {a b}} {setname a\nb} {setname ok-name} {getname}
                {setname {}} {getname} {id x} {info x} {kill}
            } {
                assert_same [concat client $args]
            }
            assert_same {client}
        }

        test {FLUSHDB, FLUSHALL and DBSIZE match redis} {
            foreach c {{flushall} {set a 1} {set b 2} {dbsize} {flushdb foo} {flushdb async sync}
                       {dbsize} {flushdb async} {dbsize} {set a 1} {select 1} {set a 1}
                       {flushdb sync} {dbsize} {select 0} {dbsize} {flushall sync} {dbsize}
                       {flushall async} {flushall bad} {dbsize x}} {
                assert_same $c
            }
        }

        test {TIME has redis's shape} {
            assert_same {time} $::mask_digits
            assert_same {time x}
            set t [r time]
            assert_equal [llength $t] 2
            assert_range [lindex $t 0] [expr {[clock seconds] - 5}] [expr {[clock seconds] + 5}]
            assert_range [lindex $t 1] 0 999999
        }

        test {OBJECT matches redis for strings and errors} {
            foreach c {{flushall} {set int 100} {set bigint 123456} {set neg -5}
                       {set emb hello} {set raw 01234567890123456789012345678901234567890123456789}
                       {object encoding int} {object encoding bigint} {object encoding emb}
                       {object encoding raw} {object encoding nokey} {object refcount int}
                       {object refcount bigint} {object refcount neg} {object refcount emb}
                       {object refcount nokey} {object freq emb} {object freq nokey}
                       {object idletime emb} {object idletime nokey} {object foo emb}
                       {object encoding} {object encoding a b} {object}} {
                assert_same $c
            }
        }

        test {OBJECT IDLETIME/FREQ errors under the other policy match redis} {
            r config set maxmemory-policy allkeys-lfu
            oracle config set maxmemory-policy allkeys-lfu
            assert_same {set k v}
            assert_same {object idletime k}
            assert_same {object idletime nokey}
            r config set maxmemory-policy noeviction
            oracle config set maxmemory-policy noeviction
            assert_same {object freq k}
        }

        test {MEMORY USAGE argument errors match redis} {
            foreach c {{memory usage nokey} {memory usage k samples} {memory usage k samples x}
                       {memory usage k samples -1} {memory usage k foo 1} {memory foo}
                       {memory usage nokey samples 0} {memory usage}} {
                assert_same $c
            }
        }

        test {COMMAND INFO / GETKEYS / errors match redis} {
            foreach c {{command info get} {command info nosuch} {command info get nosuch}
                       {command getkeys get a} {command getkeys mset a b c d}
                       {command getkeys nosuch a} {command getkeys get a b}
                       {command getkeys get} {command getkeys ping x}
                       {command foo} {command count x} {command list foo}
                       {command list filterby module nosuch} {command docs nosuch}
                       {command getkeysandflags get a}} {
                assert_same $c
            }
            r hello 3
            oracle hello 3
            assert_same {command info get}
            assert_same {command docs nosuch}
            r hello 2
            oracle hello 2
        }

        test {COMMAND LIST FILTERBY PATTERN finds the same commands} {
            assert_equal [lsort [r command list filterby pattern get*]] \
                [lsort [oracle command list filterby pattern get*]]
            assert_equal [lsort [r command list filterby pattern client|*id*]] \
                [lsort [oracle command list filterby pattern client|*id*]]
        }

        test {QUIT replies +OK then closes, as redis} {
            assert_same_raw "QUIT\r\nPING\r\n" eof
            assert_same_raw "*2\r\n\$4\r\nQUIT\r\n\$3\r\nnow\r\n" eof
        }

        test {RESET restores db 0, RESP2 and no name, as redis} {
            assert_same_raw "CLIENT SETNAME foo\r\nSELECT 3\r\nSET inthree 1\r\nHELLO 3\r\nRESET\r\nCLIENT GETNAME\r\nEXISTS inthree\r\nGET nokey\r\nPING\r\n" \
                9 $::mask_hello_id
        }

        test {unknown subcommands and HELP headers match redis} {
            foreach c {{object help} {config help} {client help} {memory help} {command help}} {
                set mine [r {*}$c]
                set theirs [oracle {*}$c]
                assert_equal [lindex $mine 0] [lindex $theirs 0]
                assert_equal [lrange $mine end-1 end] [lrange $theirs end-1 end]
                # every subcommand we document is documented by redis too
                foreach line $mine {
                    if {[string index $line 0] ne " "} {
                        assert {[lsearch -exact $theirs $line] >= 0}
                    }
                }
            }
        }
    }

    test {CLIENT ID, LIST and INFO describe the connections} {
        set c [new_client]
        $c client setname second
        set myid [r client id]
        set otherid [$c client id]
        assert {$myid != $otherid}
        set list [r client list]
        assert_match "*id=$myid *cmd=client|list*" $list
        assert_match "*id=$otherid *name=second*" $list
        assert_equal [llength [split [string trimright $list "\n"] "\n"]] 2
        set info [r client info]
        assert_match "id=$myid addr=127.0.0.1:* laddr=127.0.0.1:[srv port] *cmd=client|info*resp=2\n" $info
        assert_equal [string trimright [r client list id $otherid] "\n"] \
            [lindex [lsearch -inline -all [split $list "\n"] "id=$otherid *"] 0]
        assert_equal [r client list id 999999] {}
        assert_equal [llength [split [string trimright [r client list type normal] "\n"] "\n"]] 2
        $c close
    }

    test {CLIENT KILL ID disconnects the other client} {
        set c [new_client]
        set id [$c client id]
        assert_equal [r client kill id $id] 1
        assert_error {*} {$c ping}
        $c close
        wait_for_condition 50 20 {![string match "*id=$id *" [r client list]]} else {
            fail "killed client still listed"
        }
    }

    test {CLIENT KILL by ADDR (old and new form) and LADDR} {
        set c [new_client]
        set line [$c client info]
        regexp {addr=(\S+)} $line -> addr
        assert_equal [r client kill $addr] OK
        assert_error {*} {$c ping}
        $c close
        set c [new_client]
        regexp {addr=(\S+)} [$c client info] -> addr
        assert_equal [r client kill addr $addr skipme yes] 1
        assert_error {*} {$c ping}
        $c close
        set c [new_client]
        # LADDR matches both connections; SKIPME (default yes) spares the caller
        assert_equal [r client kill laddr 127.0.0.1:[srv port]] 1
        assert_error {*} {$c ping}
        $c close
        assert_equal [r ping] PONG
    }

    test {CLIENT KILL SKIPME no closes the caller after its reply} {
        set c [new_client]
        set id [$c client id]
        assert_equal [$c client kill id $id skipme no] 1
        assert_error {*} {$c ping}
        $c close
        assert_equal [r ping] PONG
    }

    test {COMMAND lists every command; INFO/DOCS are well formed} {
        set all [r command]
        assert_equal [llength $all] [r command count]
        set names {}
        foreach ci $all {
            assert_equal [llength $ci] 10
            lappend names [lindex $ci 0]
        }
        foreach n {get set ping client config command info object memory} {
            assert {[lsearch -exact $names $n] >= 0}
        }
        set ci [lindex [r command info client] 0]
        set subs {}
        foreach s [lindex $ci 9] { lappend subs [lindex $s 0] }
        assert_equal [lsort $subs] [lsort {client|id client|setname client|getname client|list client|kill client|info client|help client|unblock}]
        set d [r command docs get client]
        assert_equal [dict get [dict get $d get] group] string
        assert_equal [dict get [dict get $d client] group] connection
        assert {[dict exists [dict get $d client] subcommands]}
        set l [r command list]
        assert {[lsearch -exact $l config|get] >= 0}
        assert {[lsearch -exact [r command list filterby aclcat string] get] >= 0}
        assert {[lsearch -exact [r command list filterby aclcat string] ping] < 0}
    }

    test {OBJECT IDLETIME follows the clock and does not touch the key} {
        r set idle v
        r debug jump 12000
        set t [r object idletime idle]
        assert_range $t 11 14
        assert_range [r object idletime idle] 11 14
        r get idle
        assert_range [r object idletime idle] 0 1
        r debug reset-clock
    }

    test {OBJECT FREQ under an LFU policy} {
        r config set maxmemory-policy allkeys-lfu
        r set f v
        set f0 [r object freq f]
        for {set i 0} {$i < 200} {incr i} { r get f }
        assert {[r object freq f] > $f0}
        r config set maxmemory-policy noeviction
    }

    test {MEMORY USAGE grows with the value; MEMORY STATS is a map} {
        r set small x
        r set big [string repeat x 10000]
        set s [r memory usage small]
        set b [r memory usage big samples 0]
        assert {$s > 0 && $b >= 10000 && $b > $s}
        set st [r memory stats]
        assert {[dict get $st total.allocated] > 0}
        assert {[dict get $st keys.count] >= 2}
        assert {[dict exists $st db.0]}
    }

    test {redis-cli works against the node} {
        set cli [list redis-cli -h 127.0.0.1 -p [srv port]]
        assert_equal [exec {*}$cli ping] PONG
        assert_match "*redis_version:7.0.15*" [exec {*}$cli info]
        set cfg [exec {*}$cli --no-raw config get *]
        assert_match "*\"maxmemory\"*" $cfg
        assert_match "*\"maxmemory-policy\"*" $cfg
        assert_equal [exec {*}$cli set clikey clival] OK
        assert_equal [exec {*}$cli get clikey] clival
    }

    test {redis-py works against the node (RESP2 and, if supported, RESP3)} {
        set script {
import sys, redis
port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
assert r.ping()
r.set("pykey", "pyval")
assert r.get("pykey") == "pyval"
info = r.info()
assert info["redis_version"] == "7.0.15", info["redis_version"]
assert info["tcp_port"] == port
assert r.info("keyspace")["db0"]["keys"] >= 1
assert r.config_get("maxmemory*")["maxmemory-samples"] == "5"
assert r.config_set("maxmemory-samples", 7)
assert r.config_get("maxmemory-samples") == {"maxmemory-samples": "7"}
r.config_set("maxmemory-samples", 5)
cl = r.client_list()
assert any(c["cmd"] == "client|list" for c in cl), cl
assert r.client_id() > 0
assert r.dbsize() >= 1
assert len(r.command()) > 10
try:
    r3 = redis.Redis(host="127.0.0.1", port=port, protocol=3, decode_responses=True)
except TypeError:
    print("ok resp2 only"); sys.exit(0)
assert r3.ping()
assert r3.get("pykey") == "pyval"
print("ok resp3")
}
        set out [exec /usr/bin/python3 -c $script [srv port]]
        assert_match "ok*" $out
    }
}

# AUTH flow with requirepass: replies compared with redis configured alike.
start_server {requirepass secret tags {server auth}} {
    start_oracle_redis {requirepass secret} {
        test {NOAUTH before AUTH, errors and OK after, as redis} {
            assert_same_raw "PING\r\nGET k\r\nHELLO 3\r\nAUTH foo\r\nAUTH default foo\r\nAUTH nosuch secret\r\nPING\r\nAUTH secret\r\nPING\r\n" 9
            assert_same_raw "AUTH default secret\r\nPING\r\nQUIT\r\n" 3
            assert_same_raw "HELLO 3 AUTH default wrong\r\nHELLO 3 AUTH default secret SETNAME n\r\nCLIENT GETNAME\r\nGET k\r\n" 4 $::mask_hello_id
        }

        test {unauthenticated clients are limited to 10 arguments, as redis} {
            assert_same_raw "*11\r\n\$4\r\nPING\r\n" eof
            assert_same_raw "*10\r\n\$4\r\nPING\r\n\$1\r\na\r\n\$1\r\na\r\n\$1\r\na\r\n\$1\r\na\r\n\$1\r\na\r\n\$1\r\na\r\n\$1\r\na\r\n\$1\r\na\r\n\$1\r\na\r\n"
        }

        test {RESET makes the client unauthenticated again, as redis} {
            assert_same_raw "AUTH secret\r\nPING\r\nRESET\r\nPING\r\n" 4
        }
    }

    test {CONFIG SET requirepass applies to new connections} {
        r auth secret
        r config set requirepass other
        assert_equal [r ping] PONG
        set c [new_client]
        assert_error {NOAUTH*} {$c ping}
        assert_error {WRONGPASS*} {$c auth secret}
        assert_equal [$c auth other] OK
        $c close
        r config set requirepass ""
        set c [new_client]
        assert_equal [$c ping] PONG
        assert_error {*without any password configured*} {$c auth x}
        $c close
    }
}

test {SHUTDOWN stops the node cleanly (exit code 0, log says bye)} {
    set port [find_available_port]
    set dir [::harness::new_dir shutdown]
    set log [file join $dir log.txt]
    set fd [open "|[list $::server_binary --port $port --mc-port 0 --bind 127.0.0.1 --logfile $log] 2>@1" r]
    set c {}
    wait_for_condition 200 20 {![catch {resp_client 127.0.0.1 $port} c]} else {
        catch {exec kill [pid $fd]}
        fail "node did not start"
    }
    assert_error {ERR syntax error} {$c shutdown foo}
    assert_error {ERR syntax error} {$c shutdown save nosave}
    assert_error {ERR No shutdown in progress.} {$c shutdown abort}
    $c raw [resp_encode {shutdown nosave}]
    assert_equal [$c read_eof] {}
    $c close
    fconfigure $fd -blocking 1
    read $fd
    set status ok
    if {[catch {close $fd} err opts]} { set status [dict get $opts -errorcode] }
    assert_equal $status ok
    set text [read_file_bytes $log]
    assert_match "*SHUTDOWN requested by client*" $text
    assert_match "*bye bye*" $text
}
