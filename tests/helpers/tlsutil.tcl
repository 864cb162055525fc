# tests/helpers/tlsutil.tcl: what the TLS tests (tls.tcl for shoal-server,
# proxy-tls.tcl for shoal-proxy) share. Not loaded by runtest for every
# file: a test that needs it sources it, so the others do not need Tcl's
# tls package or openssl.
#
#   tls_make_certs dir ?prefix?     ;# throwaway CA, server, client certs
#   tls_client_opts dir ?cert? ?prefix?
#                                   ;# tls::socket options, for the -tls
#                                   ;# option of resp_client and mc_client
#   tls_redis_cli dir port with_cert args...  ;# redis-cli --tls output
#   tls_resume dir port version sess          ;# s_client twice, resuming
#   tls_make_self_signed dir name             ;# $dir/$name.crt, .key
#
# Keys are made with the openssl CLI at run time in the test's directory;
# none is ever committed. Files are named $dir/${prefix}ca.crt, .key and
# likewise server.* (SAN IP:127.0.0.1, DNS:localhost) and client.*, so one
# dir can hold several CAs (a reload test switches to a second one).

package require tls

proc tls_openssl {args} { exec -ignorestderr openssl {*}$args }

proc tls_make_certs {dir {prefix {}}} {
    file mkdir $dir
    set ec {-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes}
    tls_openssl req -x509 {*}$ec -keyout $dir/${prefix}ca.key -out $dir/${prefix}ca.crt \
        -days 2 -subj /CN=ShoalTestCA$prefix
    set f [open $dir/san.ext w]
    puts $f "subjectAltName=IP:127.0.0.1,DNS:localhost"
    close $f
    foreach n {server client} {
        tls_openssl req {*}$ec -keyout $dir/$prefix$n.key -out $dir/$prefix$n.csr \
            -subj /CN=shoal-$prefix$n
        tls_openssl x509 -req -in $dir/$prefix$n.csr -CA $dir/${prefix}ca.crt \
            -CAkey $dir/${prefix}ca.key -CAcreateserial -out $dir/$prefix$n.crt -days 2 \
            -extfile $dir/san.ext
    }
}

# The server is verified against the prefix's CA; with cert 1 the client
# presents the prefix's client certificate.
proc tls_client_opts {dir {cert 1} {prefix {}}} {
    set opts [list -cafile $dir/${prefix}ca.crt -require 1]
    if {$cert} {
        lappend opts -certfile $dir/${prefix}client.crt -keyfile $dir/${prefix}client.key
    }
    return $opts
}

# redis-cli --tls against 127.0.0.1:port; with_cert 0 leaves the client
# certificate out. Its output, errors included; never raises.
proc tls_redis_cli {dir port with_cert args} {
    set cmd [list redis-cli -h 127.0.0.1 -p $port --tls --cacert $dir/ca.crt]
    if {$with_cert} { lappend cmd --cert $dir/client.crt --key $dir/client.key }
    catch {exec timeout 20 {*}$cmd {*}$args 2>@1} out
    return [string trim $out]
}

# openssl s_client with the client certificate sends PING and QUIT over a
# new session saved to the file sess, then again resuming it (-sess_in).
# version is an s_client flag (-tls1_2, -tls1_3). Returns
# {rc output rc output}: s_client's exit code and output, first then second
# connection. -ign_eof keeps it reading until the server closes, so the
# PING reply and (TLS 1.3) the session ticket arrive first.
proc tls_resume {dir port version sess} {
    file delete $sess
    set base [list timeout 20 openssl s_client $version -connect 127.0.0.1:$port \
        -CAfile $dir/ca.crt -cert $dir/client.crt -key $dir/client.key -ign_eof]
    set res {}
    foreach io [list -sess_out -sess_in] {
        set rc [catch {exec -ignorestderr {*}$base $io $sess << "PING\r\nQUIT\r\n" 2>@1} out]
        lappend res $rc $out
    }
    return $res
}

# A self-signed certificate (no CA: verification against any CA file
# fails) for 127.0.0.1 and localhost: $dir/$name.crt and $dir/$name.key.
proc tls_make_self_signed {dir name} {
    file mkdir $dir
    tls_openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout $dir/$name.key -out $dir/$name.crt -days 2 -subj /CN=shoal-$name \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost"
}
