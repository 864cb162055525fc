# tests/integration/proxy-chaos.tcl: the tier end to end while its parts
# fail: shoal-proxy in front of shoal-server nodes (AOF, appendfsync
# always) that are killed with SIGKILL and restarted on the same port and
# dir, stopped with SIGSTOP and resumed, and the proxy itself restarted.
#
#   1. acknowledged writes (RESP SET and Memcached set, pipelined, several
#      clients) survive a node's kill -9 behind the proxy
#   2. the proxy keeps serving through node churn with auto_eject_hosts:
#      a shoal-bench --verify load on live nodes sees no error, a GET to a
#      live node answers within the pool timeout every time, the stats
#      count what happened
#   3. a hung node (SIGSTOP): its requests time out, others are served,
#      after SIGCONT it is used again and no late reply reaches a client
#   4. the proxy restarted (SIGTERM, same YAML and ports) while clients
#      retry: placement and data unchanged
#
# Writers and verifiers are small python3 programs (chaos_py below) run as
# separate processes, so a node can die while their pipelines are full.
# Nodes are named in the YAML, so the RESP pool (node --port) and the
# Memcached pool (node --mc-port) place a key on the same node. Every loop
# is bounded by a count or a deadline.

source [file join [file dirname $::test_file_path] proxy-common.inc]

set chaos_py {
import os, socket, sys, time, random

def resp_cmd(*args):
    out = b'*%d\r\n' % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b'$%d\r\n%s\r\n' % (len(a), a)
    return out

def resp_read(f):
    line = f.readline()
    if not line.endswith(b'\r\n'):
        raise EOFError('connection closed')
    t, rest = line[:1], line[1:-2]
    if t in (b'+', b':'):
        return rest
    if t == b'-':
        return Exception(rest.decode())
    if t == b'$':
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        if len(data) != n + 2:
            raise EOFError('connection closed')
        return data[:-2]
    if t == b'*':
        return [resp_read(f) for _ in range(int(rest))]
    raise ValueError('bad reply %r' % line)

def connect(port, deadline):
    while True:
        try:
            s = socket.create_connection(('127.0.0.1', port), timeout=10)
            return s, s.makefile('rb')
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.02)

# write PROTO PORT PREFIX MAXN DEPTH OUTFILE STOPFILE SECS
# Pipelines DEPTH sets of unique keys PREFIX<i>, until MAXN keys, SECS
# seconds or STOPFILE exists. Records every write: "A key value" (acked),
# "E key value" (error reply), "U key value" (connection lost first);
# reconnects when the connection is lost; ends with "R <reconnects>".
def write(proto, port, prefix, maxn, depth, outfile, stopfile, secs):
    deadline = time.time() + secs
    out = open(outfile, 'w')
    s, f = connect(port, deadline)
    tag = '%x' % random.getrandbits(32)
    reconnects, i = 0, 0
    while i < maxn and time.time() < deadline and not os.path.exists(stopfile):
        batch = []
        for _ in range(min(depth, maxn - i)):
            k = '%s%d' % (prefix, i)
            v = 'v.%s.%s.%d' % (prefix, tag, i)
            batch.append((k, v))
            i += 1
        if proto == 'resp':
            req = b''.join(resp_cmd('SET', k, v) for k, v in batch)
        else:
            req = b''.join(b'set %s 0 0 %d\r\n%s\r\n' % (k.encode(), len(v), v.encode())
                           for k, v in batch)
        done = 0
        try:
            s.sendall(req)
            for k, v in batch:
                if proto == 'resp':
                    r = resp_read(f)
                    ok = r == b'OK'
                else:
                    line = f.readline()
                    if not line.endswith(b'\r\n'):
                        raise EOFError('connection closed')
                    ok = line == b'STORED\r\n'
                out.write('%s %s %s\n' % ('A' if ok else 'E', k, v))
                done += 1
        except (OSError, EOFError):
            for k, v in batch[done:]:
                out.write('U %s %s\n' % (k, v))
            reconnects += 1
            try: s.close()
            except OSError: pass
            try:
                s, f = connect(port, deadline + 10)
            except OSError:
                break
        out.flush()
    out.write('R %d\n' % reconnects)
    out.close()

# verify PROTO PORT FILE...: reads every recorded key back in batches of 50
# and prints "acked N lost L wrong W errors_present P errors_absent Q
# failed F" and up to 5 examples of lost / wrong / failed keys.
def verify(proto, port, files):
    recs = []
    for fn in files:
        for line in open(fn):
            p = line.split()
            if p[0] in ('A', 'E', 'U'):
                recs.append((p[0], p[1], p[2]))
    s, f = connect(port, time.time() + 5)
    c = dict(acked=0, lost=0, wrong=0, errors_present=0, errors_absent=0, failed=0)
    bad = []
    for j in range(0, len(recs), 50):
        chunk = recs[j:j + 50]
        keys = [k for _, k, _ in chunk]
        if proto == 'resp':
            s.sendall(resp_cmd('MGET', *keys))
            got = resp_read(f)
            if isinstance(got, Exception):
                got = [got] * len(keys)
        else:
            s.sendall(b'get ' + ' '.join(keys).encode() + b'\r\n')
            vals = {}
            while True:
                line = f.readline()
                if line == b'END\r\n' or not line.endswith(b'\r\n'):
                    break
                if line.startswith(b'VALUE '):
                    _, k, _, n = line.split()[:4]
                    vals[k.decode()] = f.read(int(n) + 2)[:-2]
                else:
                    vals = Exception(line.decode().strip())
                    break
            got = [vals] * len(keys) if isinstance(vals, Exception) else [vals.get(k) for k in keys]
        for (kind, k, v), g in zip(chunk, got):
            if isinstance(g, Exception):
                c['failed'] += 1; bad.append('failed %s: %s' % (k, g)); continue
            if kind == 'A':
                c['acked'] += 1
                if g is None:
                    c['lost'] += 1; bad.append('lost %s=%s' % (k, v))
                elif g != v.encode():
                    c['wrong'] += 1; bad.append('wrong %s=%s got %r' % (k, v, g))
            elif g is None:
                c['errors_absent'] += 1
            elif g == v.encode():
                c['errors_present'] += 1
            else:
                c['wrong'] += 1; bad.append('wrong (unacked) %s=%s got %r' % (k, v, g))
    print(' '.join('%s %d' % (k, c[k]) for k in
                   ('acked', 'lost', 'wrong', 'errors_present', 'errors_absent', 'failed')))
    for b in bad[:5]:
        print(b)

if sys.argv[1] == 'write':
    a = sys.argv[2:]
    write(a[0], int(a[1]), a[2], int(a[3]), int(a[4]), a[5], a[6], float(a[7]))
else:
    verify(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
}

proc chaos_py_path {} {
    set path [file join $::file_tmpdir chaos.py]
    if {![file exists $path]} {
        set fd [open $path w]
        puts $fd $::chaos_py
        close $fd
    }
    return $path
}

# ------------------------------------------------------------- nodes ---

# A shoal-server node: its ports and dir stay across restarts. Returns the
# node dict (port mcport dir name pid ...).
proc chaos_node_new {name} {
    set node [dict create name $name port [find_available_port] \
        mcport [find_available_port] dir [::harness::new_dir chaos-$name] starts 0]
    return [chaos_node_start $node]
}

# (Re)start a node on its port and dir with AOF on, appendfsync always.
proc chaos_node_start {node} {
    set dir [dict get $node dir]
    dict incr node starts
    set n [dict get $node starts]
    set log [file join $dir node.$n.log]
    set argv [list $::server_binary --port [dict get $node port] --bind 127.0.0.1 \
        --mc-port [dict get $node mcport] --dir $dir --logfile $log \
        --appendonly yes --appendfsync always]
    set srv [dict merge $node [dict create binary $::server_binary host 127.0.0.1 \
        stdout $log stderr [file join $dir stderr.$n.log] argv $argv]]
    dict set srv pid [::harness::spawn $argv [dict get $srv stderr]]
    set why [::harness::wait_ready $srv "Ready to accept connections" 20000]
    if {$why ne {}} {
        fail "node [dict get $node name] did not start ($why)\n[::harness::log_tail $srv]"
    }
    return $srv
}

proc chaos_node_kill {node} {
    set pid [dict get $node pid]
    catch {exec kill -KILL $pid}
    set deadline [expr {[clock milliseconds] + 5000}]
    while {[::harness::alive $pid] && [clock milliseconds] < $deadline} { after 5 }
    file delete [file join $::file_tmpdir .pids $pid]
}

proc chaos_nodes_stop {nodes} {
    foreach n $nodes {
        if {[dict exists $n pid] && [::harness::alive [dict get $n pid]]} {
            catch {exec kill -CONT [dict get $n pid]}
            ::harness::finish $n
        }
    }
}

proc chaos_node_client {node} { resp_client 127.0.0.1 [dict get $node port] -timeout 10 }

# ------------------------------------------------------------- proxy ---

# Two pools over the same named nodes: "resp" (RESP, node --port) and "mc"
# (Memcached, node --mc-port). opts: extra pool keys for both (one worker
# unless opts says otherwise: ejection is counted per worker).
proc chaos_yaml {nodes opts} {
    set y {}
    foreach {pool listen redis portkey} {resp @LISTEN@ true port mc @LISTEN2@ false mcport} {
        append y "$pool:\n  listen: $listen\n  redis: $redis\n  hash: fnv1a_64\n" \
            "  distribution: ketama\n"
        if {![dict exists $opts workers]} { append y "  workers: 1\n" }
        foreach {k v} $opts { append y "  $k: $v\n" }
        append y "  servers:\n"
        foreach n $nodes {
            append y "   - 127.0.0.1:[dict get $n $portkey]:1 [dict get $n name]\n"
        }
    }
    return $y
}

# Start shoal-proxy on fixed ports (so a restart keeps them): returns a
# dict with pid, port (RESP), mcport, stats_port, yaml.
proc chaos_proxy_start {yaml {ports {}}} {
    if {$ports eq {}} {
        set ports [list [find_available_port] [find_available_port] [find_available_port]]
    }
    lassign $ports port mcport stats
    set dir [::harness::new_dir chaos-proxy]
    set argv [::harness::proxy_argv $yaml $stats $mcport {} $port $dir]
    set srv [dict create binary [proxy_binary] host 127.0.0.1 port $port mcport $mcport \
        stats_port $stats dir $dir yaml $yaml ports $ports argv $argv \
        stdout [file join $dir stdout.log] stderr [file join $dir stderr.log]]
    dict set srv pid [::harness::spawn $argv [dict get $srv stderr]]
    set why [::harness::wait_ready $srv "Ready to accept connections" 20000]
    if {$why ne {}} { fail "shoal-proxy did not start ($why)\n[::harness::log_tail $srv]" }
    return $srv
}

proc chaos_stats {proxy} {
    set s [socket 127.0.0.1 [dict get $proxy stats_port]]
    fconfigure $s -translation binary
    set text [read $s]
    close $s
    set i 0
    return [::harness::json_value $text i]
}

# The node name owning key, as the RESP pool says (PROXY ROUTE).
proc chaos_route {c key} { lindex [$c proxy route $key] 1 }

# n keys prefix<i> whose owner is node name, from the proxy.
proc chaos_keys_on {c prefix name n} {
    set out {}
    for {set i 0} {[llength $out] < $n && $i < 10000} {incr i} {
        if {[chaos_route $c $prefix$i] eq $name} { lappend out $prefix$i }
    }
    return $out
}

# A hash tag ({tag}) owned by node name.
proc chaos_tag_on {c name} {
    for {set i 0} {$i < 10000} {incr i} {
        if {[chaos_route $c "{t$i}"] eq $name} { return t$i }
    }
    fail "no tag routes to $name"
}

# ------------------------------------------------------------ writers ---

proc chaos_writer {proto port prefix maxn depth out stop secs} {
    exec /usr/bin/python3 [chaos_py_path] write $proto $port $prefix $maxn $depth \
        $out $stop $secs >>& [file join $::file_tmpdir chaos-py.log] &
}

# Records of a writer's file: counts of A, E, U and its reconnect count.
proc chaos_counts {path} {
    set c [dict create A 0 E 0 U 0 R -1]
    if {![file exists $path]} { return $c }
    foreach line [split [read_file_bytes $path] "\n"] {
        set k [string index $line 0]
        if {$k in {A E U}} { dict incr c $k }
        if {$k eq "R"} { dict set c R [lindex $line 1] }
    }
    return $c
}

# 1 when every writer file has at least its minimum of records of kind.
proc chaos_all_at_least {files kind mins} {
    foreach f $files m $mins {
        if {[dict get [chaos_counts $f] $kind] < $m} { return 0 }
    }
    return 1
}

proc chaos_wait_pids {pids ms} {
    set deadline [expr {[clock milliseconds] + $ms}]
    foreach pid $pids {
        while {[::harness::alive $pid] && [clock milliseconds] < $deadline} { after 10 }
        if {[::harness::alive $pid]} {
            catch {exec kill -KILL $pid}
            fail "process $pid did not finish in $ms ms"
        }
    }
}

# Wait until the condition holds, polling every 10 ms for at most ms.
proc chaos_until {ms cond} {
    set deadline [expr {[clock milliseconds] + $ms}]
    while {![uplevel 1 [list expr $cond]]} {
        if {[clock milliseconds] > $deadline} { return 0 }
        after 10
    }
    return 1
}

proc chaos_verify {proto port files} {
    set out [exec /usr/bin/python3 [chaos_py_path] verify $proto $port {*}$files]
    set first [lindex [split $out "\n"] 0]
    return [list [dict create {*}$first] $out]
}

# ---------------------------------------------------------- scenario 1 ---

test {acknowledged writes survive a node's kill -9 behind the proxy (RESP and Memcached)} {
    set nodes {}
    set proxy {}
    try {
        foreach n {n1 n2 n3} { lappend nodes [chaos_node_new $n] }
        set proxy [chaos_proxy_start [chaos_yaml $nodes {timeout 2000}]]
        set c [resp_client 127.0.0.1 [dict get $proxy port]]
        set victim [lindex $nodes 1]
        set dir [::harness::new_dir chaos-w]
        set stop [file join $dir stop]
        set files {}
        set pids {}
        # 3 RESP and 3 Memcached writers, 16 sets in flight each
        foreach proto {resp mc} port [list [dict get $proxy port] [dict get $proxy mcport]] {
            for {set w 0} {$w < 3} {incr w} {
                set f [file join $dir $proto.$w]
                dict lappend files $proto $f
                lappend pids [chaos_writer $proto $port $proto$w: 30000 16 $f $stop 30]
            }
        }
        set all [concat {*}[dict values $files]]
        # mid-stream: every writer has had writes acknowledged
        set six [lrepeat 6 200]
        assert [chaos_until 10000 {[chaos_all_at_least $all A $six]}]
        chaos_node_kill $victim
        # writes to its keys now fail with an error; the others go on
        set six [lrepeat 6 20]
        assert [chaos_until 5000 {[chaos_all_at_least $all E $six]}]
        set victim [chaos_node_start $victim]
        lset nodes 1 $victim
        set d [chaos_node_client $victim]
        set size0 [$d dbsize]
        assert {$size0 > 0}
        # the node is used again: every writer goes on being acknowledged,
        # and the restarted node gets new keys
        set more [lmap f $all { expr {[dict get [chaos_counts $f] A] + 300} }]
        assert [chaos_until 10000 {[chaos_all_at_least $all A $more] && [$d dbsize] > $size0 + 100}]
        close [open $stop w]
        chaos_wait_pids $pids 20000
        foreach f $all {
            set cnt [chaos_counts $f]
            # the proxy never dropped a client because a node died
            assert_equal [dict get $cnt R] 0 "reconnects of $f"
            assert_equal [dict get $cnt U] 0 "writes without any reply in $f"
        }
        foreach proto {resp mc} port [list [dict get $proxy port] [dict get $proxy mcport]] {
            lassign [chaos_verify $proto $port [dict get $files $proto]] v out
            puts "chaos kill -9 ($proto): $out"
            assert_equal [dict get $v lost] 0 $out
            assert_equal [dict get $v wrong] 0 $out
            assert_equal [dict get $v failed] 0 $out
            assert {[dict get $v acked] >= 3 * 500}
            assert {[dict get $v errors_present] + [dict get $v errors_absent] >= 60}
        }
        $d close
        $c close
    } finally {
        if {$proxy ne {}} { ::harness::finish $proxy }
        chaos_nodes_stop $nodes
    }
}

# ---------------------------------------------------------- scenario 2 ---

proc chaos_bench_binary {} {
    set b [file join [file dirname [file dirname $::server_binary]] bench shoal-bench]
    if {![file executable $b]} { error "shoal-bench not built: $b" }
    return $b
}

# A shoal-bench in the background over keys {tag}:...; returns {pid log rcfile}
# (a shell runs it and writes its exit status to rcfile).
proc chaos_bench {proto port tag secs verify} {
    set base [file join $::file_tmpdir bench.$proto.$tag]
    set argv [list [chaos_bench_binary] -p $port --protocol $proto -c 4 -P 2 --rate 800 \
        --duration $secs -d 40 -r 500 --key-prefix "{$tag}:" --ratio 1:2 -t mixed \
        --timeout 5 -q]
    if {$verify} { lappend argv --verify }
    set pid [exec sh -c {"$@" > "$0.log" 2>&1; echo $? > "$0.rc"} $base {*}$argv &]
    return [list $pid $base.log $base.rc]
}

# Wait for a bench to end: its exit status, or "killed".
proc chaos_bench_wait {b ms {show 1}} {
    lassign $b pid log rc
    set deadline [expr {[clock milliseconds] + $ms}]
    while {![file exists $rc] && [clock milliseconds] < $deadline} { after 20 }
    chaos_wait_pids [list $pid] 2000
    if {![file exists $rc]} { return killed }
    set status [string trim [read_file_bytes $rc]]
    if {$status != 0 && $show} { puts "shoal-bench exited $status:\n[file_tail $log 20]" }
    return $status
}

# Milliseconds a GET through client c takes; its reply in ::chaos_reply.
proc chaos_timed {c args} {
    set t0 [clock milliseconds]
    if {[catch {$c {*}$args} r]} { set r "ERR: $r" }
    set ::chaos_reply $r
    return [expr {[clock milliseconds] - $t0}]
}

proc chaos_mc_get {m key} {
    $m sendline "get $key"
    return [$m read_until END]
}

test {the proxy keeps serving while a node is killed and restarted 3 times (auto_eject_hosts)} {
    set nodes {}
    set proxy {}
    set benches {}
    try {
        foreach n {n1 n2 n3} { lappend nodes [chaos_node_new $n] }
        set timeout 500
        set proxy [chaos_proxy_start [chaos_yaml $nodes [list timeout $timeout \
            auto_eject_hosts true server_failure_limit 2 server_retry_timeout 300 \
            hash_tag {"{}"}]]]
        set c [resp_client 127.0.0.1 [dict get $proxy port] -timeout 10]
        set m [mc_client 127.0.0.1 [dict get $proxy mcport] -timeout 10]
        set victim [lindex $nodes 2]
        set vname [dict get $victim name]
        # a tag on each node; keys on the live nodes never move (ketama)
        foreach n $nodes { dict set tag [dict get $n name] [chaos_tag_on $c [dict get $n name]] }
        foreach n {n1 n2} {
            $c set "{[dict get $tag $n]}:probe" "p-$n"
            assert_equal [$m cmd "set {[dict get $tag $n]}:mprobe 0 0 4\r\nm-$n"] STORED
        }
        # verified load on the live nodes (RESP on n1, Memcached on n2), and
        # load on the victim's keys (which error or move while it is down)
        lappend benches [chaos_bench resp [dict get $proxy port] [dict get $tag n1] 4 1]
        lappend benches [chaos_bench memcache [dict get $proxy mcport] [dict get $tag n2] 4 1]
        lappend benches [chaos_bench resp [dict get $proxy port] [dict get $tag $vname] 4 0]
        lappend benches [chaos_bench memcache [dict get $proxy mcport] [dict get $tag $vname] 4 0]
        set samples 0
        set worst 0
        for {set round 0} {$round < 3} {incr round} {
            chaos_node_kill $victim
            set restarted 0
            set deadline [expr {[clock milliseconds] + 15000}]
            while {1} {
                assert [::harness::alive [dict get $proxy pid]]
                # live keys answer, right, within the pool timeout, every time
                foreach n {n1 n2} {
                    set ms [chaos_timed $c get "{[dict get $tag $n]}:probe"]
                    assert_equal $::chaos_reply "p-$n"
                    set worst [expr {max($worst, $ms)}]
                    set ms [chaos_timed $m cmd "get {[dict get $tag $n]}:mprobe"]
                    assert_equal $::chaos_reply "VALUE {[dict get $tag $n]}:mprobe 0 4"
                    assert_equal [$m read_until END] "m-$n\r\nEND\r\n"
                    set worst [expr {max($worst, $ms)}]
                    incr samples
                }
                assert {$worst < $timeout}
                # the victim's keys: an error or an answer, never a hang
                set ms [chaos_timed $c get "{[dict get $tag $vname]}:x"]
                assert {$ms < 2 * $timeout}
                if {!$restarted && [clock milliseconds] > $deadline - 14400} {
                    set victim [chaos_node_start $victim]
                    lset nodes 2 $victim
                    set restarted 1
                }
                if {$restarted && [chaos_route $c "{[dict get $tag $vname]}"] eq $vname &&
                        [catch {$c set "{[dict get $tag $vname]}:back$round" $round}] == 0} {
                    break
                }
                if {[clock milliseconds] > $deadline} { fail "round $round: $vname never came back" }
                after 5
            }
        }
        puts "chaos churn: $samples live-key samples, worst [set worst] ms (timeout $timeout)"
        foreach b [lrange $benches 0 1] {
            assert_equal [chaos_bench_wait $b 20000] 0
        }
        foreach b [lrange $benches 2 3] {
            # errors for the victim's keys while it is down (status 1), no crash
            assert_match {[01]} [chaos_bench_wait $b 20000 0]
        }
        # every node serves again, through both pools
        foreach n $nodes {
            set name [dict get $n name]
            set k "{[dict get $tag $name]}:after"
            assert_equal [chaos_route $c $k] $name
            assert_equal [$c set $k ok-$name] OK
            assert_equal [$c get $k] ok-$name
            assert_equal [chaos_mc_get $m $k] "VALUE $k 0 [string length ok-$name]\r\nok-$name\r\nEND\r\n"
            set d [chaos_node_client $n]
            assert_equal [$d get $k] ok-$name
            $d close
        }
        # the stats tell the story: ejections, errors on the victim only
        wait_for_condition 50 50 {[dict get [chaos_stats $proxy] resp server_ejects] >= 3} else {
            fail "server_ejects: [dict get [chaos_stats $proxy] resp server_ejects]"
        }
        set st [chaos_stats $proxy]
        foreach pool {resp mc} {
            assert {[dict get $st $pool server_ejects] >= 3}
            set v [dict get $st $pool $vname]
            assert {[dict get $v server_err] + [dict get $v server_eof] >= 3}
            foreach n {n1 n2} {
                foreach f {server_err server_eof server_timedout} {
                    assert_equal [dict get $st $pool $n $f] 0 "$pool $n $f"
                }
            }
        }
        $c close
        $m close
    } finally {
        foreach b $benches { catch {exec kill -KILL [lindex $b 0]} }
        if {$proxy ne {}} { ::harness::finish $proxy }
        chaos_nodes_stop $nodes
    }
}

# ---------------------------------------------------------- scenario 3 ---

test {a hung node (SIGSTOP): its requests time out, others are served, after SIGCONT it is used again} {
    set nodes {}
    set proxy {}
    try {
        foreach n {n1 n2 n3} { lappend nodes [chaos_node_new $n] }
        set timeout 300
        set proxy [chaos_proxy_start [chaos_yaml $nodes [list timeout $timeout]]]
        set c [resp_client 127.0.0.1 [dict get $proxy port] -timeout 10]
        set m [mc_client 127.0.0.1 [dict get $proxy mcport] -timeout 10]
        set hung [lindex $nodes 0]
        set hname [dict get $hung name]
        set hk [chaos_keys_on $c h: $hname 40]
        set lk [concat [chaos_keys_on $c l: n2 20] [chaos_keys_on $c l: n3 20]]
        foreach k [concat $hk $lk] { $c set $k "old-$k" }
        exec kill -STOP [dict get $hung pid]
        try {
            # a request to the hung node times out with the pool's reason,
            # after about `timeout` ms, on both fronts
            set ms [chaos_timed $c get [lindex $hk 0]]
            assert_equal $::chaos_reply "ERR: ERR Connection timed out"
            assert_range $ms [expr {$timeout - 50}] [expr {$timeout + 1000}]
            set ms [chaos_timed $m cmd "get [lindex $hk 1]"]
            assert_equal $::chaos_reply "SERVER_ERROR Connection timed out"
            assert_range $ms [expr {$timeout - 50}] [expr {$timeout + 1000}]
            # while other clients wait on it (pipelined gets and sets to the
            # hung node, which may be applied after SIGCONT), live nodes
            # answer at once
            set w [resp_client 127.0.0.1 [dict get $proxy port] -deferred 1 -timeout 10]
            set wm [mc_client 127.0.0.1 [dict get $proxy mcport] -timeout 10]
            foreach k [lrange $hk 2 9] { $w get $k; $w set $k "stopped-$k" }
            foreach k [lrange $hk 10 13] {
                $wm send "get $k\r\nset $k 0 0 [string length stopped-$k]\r\nstopped-$k\r\n"
            }
            foreach k $lk {
                set ms [chaos_timed $c get $k]
                assert_equal $::chaos_reply "old-$k"
                assert {$ms < $timeout}
                set ms [chaos_timed $m cmd "get $k"]
                assert_equal $::chaos_reply "VALUE $k 0 [string length old-$k]"
                assert_equal [$m read_until END] "old-$k\r\nEND\r\n"
                assert {$ms < $timeout}
            }
            # the waiting clients get the timeout, in order, nothing else
            foreach k [lrange $hk 2 9] {
                assert_equal [catch {$w read} e] 1
                assert_equal $e "ERR Connection timed out"
                assert_equal [catch {$w read} e] 1
                assert_equal $e "ERR Connection timed out"
            }
            foreach k [lrange $hk 10 13] {
                assert_equal [$wm read_line] "SERVER_ERROR Connection timed out"
                assert_equal [$wm read_line] "SERVER_ERROR Connection timed out"
            }
        } finally {
            exec kill -CONT [dict get $hung pid]
        }
        # after SIGCONT the node is used again; the replies it owed to the
        # timed-out requests reach nobody: every client reads its own keys
        set t0 [clock milliseconds]
        while {[catch {$c get [lindex $hk 0]} e] && [clock milliseconds] - $t0 < 5000} { after 20 }
        assert_equal $e "old-[lindex $hk 0]"
        $w deferred 0
        for {set round 0} {$round < 3} {incr round} {
            foreach k [lrange $hk 14 end] {
                $c set $k "r$round-$k"
                assert_equal [$m cmd "set $k:m 0 0 [string length r$round-$k]\r\nr$round-$k"] STORED
            }
            foreach k [lrange $hk 14 end] {
                assert_equal [$c get $k] "r$round-$k"
                assert_equal [chaos_mc_get $m $k:m] "VALUE $k:m 0 [string length r$round-$k]\r\nr$round-$k\r\nEND\r\n"
            }
            foreach k [concat [lrange $hk 2 13] $lk] {
                # either the value before the stop or the one sent during it
                assert_match "*-$k" [$c get $k]
                assert_match "VALUE $k *" [lindex [split [chaos_mc_get $m $k] "\r"] 0]
            }
            # the clients whose requests timed out read their own replies
            foreach k [lrange $hk 2 9] {
                assert_equal [$w get $k] [$c get $k]
            }
            foreach k [lrange $hk 10 13] {
                assert_equal [chaos_mc_get $wm $k] [chaos_mc_get $m $k]
            }
        }
        $w close
        $wm close
        $c close
        $m close
    } finally {
        if {$proxy ne {}} { ::harness::finish $proxy }
        chaos_nodes_stop $nodes
    }
}

# ---------------------------------------------------------- scenario 4 ---

test {the proxy restarted (SIGTERM, same YAML and ports) while clients retry: data and placement unchanged} {
    set nodes {}
    set proxy {}
    try {
        foreach n {n1 n2 n3} { lappend nodes [chaos_node_new $n] }
        set yaml [chaos_yaml $nodes {timeout 2000}]
        set proxy [chaos_proxy_start $yaml]
        set c [resp_client 127.0.0.1 [dict get $proxy port] -timeout 10]
        set m [mc_client 127.0.0.1 [dict get $proxy mcport] -timeout 10]
        # placement and data before
        set routes {}
        set mroutes {}
        for {set i 0} {$i < 200} {incr i} {
            lappend routes [$c proxy route k$i]
            lappend mroutes [$m cmd "route k$i"]
            $c set k$i "before-$i"
        }
        set sizes [lmap n $nodes {
            set d [chaos_node_client $n]; set s [$d dbsize]; $d close; set s
        }]
        assert_equal [tcl::mathop::+ {*}$sizes] 200
        foreach s $sizes { assert {$s > 0} }
        # writers that reconnect when the proxy goes away, on both fronts
        set dir [::harness::new_dir chaos-r]
        set stop [file join $dir stop]
        set files {}
        set pids {}
        foreach proto {resp mc} port [list [dict get $proxy port] [dict get $proxy mcport]] {
            set f [file join $dir $proto]
            lappend files $f
            lappend pids [chaos_writer $proto $port w$proto: 100000 8 $f $stop 30]
        }
        assert [chaos_until 10000 {[chaos_all_at_least $files A {200 200}]}]
        $c close
        $m close
        ::harness::finish $proxy
        set down [lmap f $files { dict get [chaos_counts $f] A }]
        set proxy [chaos_proxy_start $yaml [dict get $proxy ports]]
        # the writers retry and are acknowledged again by the new proxy
        set more [lmap n $down { expr {$n + 300} }]
        assert [chaos_until 10000 {[chaos_all_at_least $files A $more]}]
        close [open $stop w]
        chaos_wait_pids $pids 20000
        set c [resp_client 127.0.0.1 [dict get $proxy port] -timeout 10]
        set m [mc_client 127.0.0.1 [dict get $proxy mcport] -timeout 10]
        for {set i 0} {$i < 200} {incr i} {
            assert_equal [$c proxy route k$i] [lindex $routes $i]
            assert_equal [$m cmd "route k$i"] [lindex $mroutes $i]
            assert_equal [$c get k$i] "before-$i"
        }
        # each key still on the node the route names, read directly
        foreach n $nodes {
            set d [chaos_node_client $n]
            for {set i 0} {$i < 200} {incr i} {
                if {[lindex $routes $i 1] eq [dict get $n name]} {
                    assert_equal [$d get k$i] "before-$i"
                }
            }
            $d close
        }
        foreach proto {resp mc} port [list [dict get $proxy port] [dict get $proxy mcport]] f $files {
            set cnt [chaos_counts $f]
            # the writer lost its connection at the restart and came back
            assert {[dict get $cnt R] >= 1}
            lassign [chaos_verify $proto $port [list $f]] v out
            puts "chaos proxy restart ($proto): $out, reconnects [dict get $cnt R]"
            assert_equal [dict get $v lost] 0 $out
            assert_equal [dict get $v wrong] 0 $out
            assert_equal [dict get $v failed] 0 $out
        }
        $c close
        $m close
    } finally {
        if {$proxy ne {}} { ::harness::finish $proxy }
        chaos_nodes_stop $nodes
    }
}
