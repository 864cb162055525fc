# tests/integration/proxy-audit-conf.tcl: twemproxy YAML keys whose effect
# is only visible from outside the proxy: listen and servers on unix
# sockets (with the socket's permission), backlog (the listen queue ss
# reports), client_connections (at the limit new clients are closed, as
# twemproxy does), tcpkeepalive (SO_KEEPALIVE on client and server
# sockets, as ss shows it) and reuseport (another socket may bind the
# proxy's port only when it is on).

source [file join [file dirname $::test_file_path] proxy-common.inc]

# Send bytes to a unix socket, read until the reply ends with `until`.
set ::unix_py {
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode().decode('unicode_escape').encode('latin-1'))
until = sys.argv[3].encode()
buf = b''
while not buf.endswith(until):
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
sys.stdout.write(buf.hex())
}

proc unix_exchange {path bytes until} {
    # hex: exec would turn CR LF into LF
    return [binary decode hex [exec /usr/bin/python3 -c $::unix_py $path $bytes $until]]
}

# A memcached listening on a unix socket only.
proc memcached_unix {path} {
    set dir [::harness::new_dir mc-unix]
    set argv [list $::oracle_memcached -s $path -a 0700 -U 0]
    if {$::tcl_platform(user) eq "root"} { lappend argv -u root }
    set pid [::harness::spawn $argv [file join $dir stderr.log]]
    wait_for_condition 100 20 {[file exists $path]} else { fail "memcached -s $path did not start" }
    return [dict create pid $pid dir $dir binary $::oracle_memcached port 0 host $path \
        stdout [file join $dir stderr.log] stderr [file join $dir stderr.log] argv $argv]
}

test {listen and servers on unix sockets: the second pool serves through them} {
    set sock [file join $::file_tmpdir px-[pid].sock]
    set nsock [file join $::file_tmpdir mc-[pid].sock]
    set nodes [proxy_nodes memcached 1]
    set node [memcached_unix $nsock]
    try {
        set y "[proxy_yaml alpha memcache $nodes]\nunixpool:\n  listen: $sock 0660\n  servers:\n   - $nsock:1\n"
        start_proxy $y {
            file stat $sock st
            assert_equal [format %o [expr {$st(mode) & 0777}]] 660
            assert_equal $st(type) socket
            assert_equal [unix_exchange $sock {set uk 0 0 2\r\nhi\r\n} "\r\n"] "STORED\r\n"
            assert_equal [unix_exchange $sock {get uk nokey\r\n} "END\r\n"] "VALUE uk 0 2\r\nhi\r\nEND\r\n"
            # the key went to the unix-socket memcached, not the TCP node
            mc sendline "get uk"
            assert_equal [mc read_until END] "END\r\n"
            assert_equal [unix_exchange $nsock {get uk\r\n} "END\r\n"] "VALUE uk 0 2\r\nhi\r\nEND\r\n"
            # a unix server's ketama ID is "path:" (twemproxy's, test_ketama server_ids)
            assert_equal [unix_exchange $sock {route uk\r\n} "\r\n"] "ROUTE uk $nsock $nsock:\r\n"
        }
    } finally {
        ::harness::finish $node
        proxy_stop_nodes $nodes
        file delete $sock $nsock
    }
}

# The listen queue length of the socket listening on port (ss's Send-Q).
proc listen_backlog {port} {
    set out [exec ss -Hltn "sport = :$port"]
    if {![regexp {LISTEN\s+\d+\s+(\d+)\s} $out -> q]} { fail "no listener on $port: $out" }
    return $q
}

test {backlog: the listen queue is the configured one (default 512, as twemproxy)} {
    set nodes [proxy_nodes memcached 1]
    try {
        start_proxy "[proxy_yaml alpha memcache $nodes backlog 37]" {
            assert_equal [listen_backlog [srv port]] 37
        }
        start_proxy [proxy_yaml alpha memcache $nodes] {
            assert_equal [listen_backlog [srv port]] 512
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# 1 when a connection of the proxy's client port closes with nothing sent.
proc closed_at_once {port} {
    set s [socket 127.0.0.1 $port]
    fconfigure $s -translation binary -blocking 1
    if {[catch {puts -nonewline $s "version\r\n"; flush $s}]} { close $s; return 1 }
    set got [read $s]
    catch {close $s}
    return [expr {$got eq {}}]
}

test {client_connections: at the limit new clients are closed, the others served; a slot frees on close} {
    set nodes [proxy_nodes memcached 1]
    try {
        start_proxy "[proxy_yaml alpha memcache $nodes client_connections 3]  workers: 2\n" {
            # mc (the harness's client) is one; two more fill the pool
            assert_match "VERSION *" [mc cmd version]
            set a [mc_client 127.0.0.1 [srv port]]
            set b [mc_client 127.0.0.1 [srv port]]
            assert_match "VERSION *" [$a cmd version]
            assert_match "VERSION *" [$b cmd version]
            proxy_wait_stat alpha client_connections 3
            set from [log_line_count]
            assert_equal [closed_at_once [srv port]] 1
            wait_for_log_line "*client_connections limit 3 reached*" -from $from
            # the connected ones still work
            assert_equal [$a cmd "set cc 0 0 1\r\nx"] STORED
            assert_equal [mc cmd "get cc"] "VALUE cc 0 1"
            mc read_until END
            $b close
            proxy_wait_stat alpha client_connections 2
            set c [mc_client 127.0.0.1 [srv port]]
            assert_match "VERSION *" [$c cmd version]
            $c close
            $a close
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# Established TCP sockets matching an ss filter, with their timers.
proc ss_established {filter} {
    return [split [string trim [exec ss -Htno state established $filter]] "\n"]
}

test {tcpkeepalive: SO_KEEPALIVE on client and server sockets only when set} {
    set nodes [proxy_nodes memcached 1]
    set nport [lindex [split [dict get [lindex $nodes 0] addr] :] 1]
    try {
        foreach {on want} {true 1 false 0} {
            start_proxy [proxy_yaml alpha memcache $nodes tcpkeepalive $on] {
                assert_equal [mc cmd "set ka 0 0 1\r\nx"] STORED
                set lines [ss_established "( sport = :[srv port] )"]
                assert_equal [llength $lines] 1
                assert_equal [string match "*timer:(keepalive*" [lindex $lines 0]] $want
                # the proxy's connection to the node (the node's side is dport)
                set lines [ss_established "( dport = :$nport )"]
                assert_equal [llength $lines] 1
                assert_equal [string match "*timer:(keepalive*" [lindex $lines 0]] $want
            }
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}

# 1 when another socket with SO_REUSEPORT may listen on 127.0.0.1:port.
proc can_share_port {port} {
    set py {
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
try:
    s.bind(('127.0.0.1', int(sys.argv[1])))
    s.listen(1)
    print(1)
except OSError:
    print(0)
}
    return [exec /usr/bin/python3 -c $py $port]
}

test {reuseport: the listener is bound with SO_REUSEPORT only when set} {
    set nodes [proxy_nodes memcached 1]
    try {
        start_proxy [proxy_yaml alpha memcache $nodes reuseport true] {
            assert_equal [can_share_port [srv port]] 1
            assert_equal [mc cmd "set rp 0 0 1\r\nx"] STORED
        }
        start_proxy [proxy_yaml alpha memcache $nodes] {
            assert_equal [can_share_port [srv port]] 0
        }
    } finally {
        proxy_stop_nodes $nodes
    }
}
