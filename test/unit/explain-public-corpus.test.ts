// explain on the error messages of public issue threads (test/fixtures/corpus/public-errors.json),
// each labelled by hand with the stage, port, protocol and host IP its thread shows. The "tune" split was
// tuned on; the held-out batches were each scored untouched when they came in, and each batch's floor
// below is that untouched score (docs/explain-accuracy.md has the table and what each batch missed).
import { describe, expect, it } from 'vitest';
import { explain, primary } from '../../src/explain/explain.js';
import { STAGES } from '../../src/explain/stages.js';
import { loadPublicCorpus, score } from '../helpers/public-corpus.js';

const corpus = loadPublicCorpus();
const tune = corpus.filter((e) => e.split === 'tune');
const heldout = corpus.filter((e) => e.split === 'heldout');

describe('the public corpus', () => {
  it('every entry names its thread, a stage of the vocabulary and a split; at least 30 % is held out', () => {
    for (const e of corpus) {
      expect(e.source).toMatch(/^[\w.-]+\/[\w.-]+#\d+$/);
      expect(e.url).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(issues|pull)\/\d+$/);
      expect(STAGES).toContain(e.stage);
      expect(['tune', 'heldout']).toContain(e.split);
    }
    expect(corpus.length).toBeGreaterThanOrEqual(120);
    expect(new Set(corpus.map((e) => e.message)).size).toBe(corpus.length);
    expect(heldout.length / corpus.length).toBeGreaterThanOrEqual(0.3);
    // from many projects, not a few threads
    expect(new Set(corpus.map((e) => e.source.split('#')[0])).size).toBeGreaterThanOrEqual(50);
  });

  it('scores: tune 74/74 stage and port; each held-out batch no worse than measured when it came in', () => {
    const t = score(tune);
    const h1 = score(heldout.filter((e) => !e.batch));
    const h2 = score(heldout.filter((e) => e.batch === 2));
    const h3 = score(heldout.filter((e) => e.batch === 3));
    const h4 = score(heldout.filter((e) => e.batch === 4));
    const h5 = score(heldout.filter((e) => e.batch === 5));
    const h6 = score(heldout.filter((e) => e.batch === 6));
    const h7 = score(heldout.filter((e) => e.batch === 7));
    const h8 = score(heldout.filter((e) => e.batch === 8));
    const h9 = score(heldout.filter((e) => e.batch === 9));
    const h10 = score(heldout.filter((e) => e.batch === 10));
    const h = score(heldout);
    expect([t.n, h1.n, h2.n, h3.n, h4.n, h5.n, h6.n, h7.n, h8.n, h9.n, h10.n]).toEqual([
      74, 40, 9, 40, 33, 31, 32, 41, 42, 41, 50,
    ]);
    expect([t.stageOk, t.portOk]).toEqual([74, 74]);
    // the goal is 95 % on unseen messages. First held-out batch (split before tuning): stage
    // 37/40, port 39/40; the three stage misses: a Go app's own listen in a host-network container (the
    // same words as docker-proxy's), Windows vpnkit's EACCES (labelled permission), Podman 0.12's "port
    // bindings are not yet supported". Second batch (9 messages found after tuning): stage 7/9, port 8/9
    expect(h1.stageOk).toBeGreaterThanOrEqual(37);
    expect(h1.portOk).toBeGreaterThanOrEqual(39);
    expect(h2.stageOk).toBeGreaterThanOrEqual(7);
    expect(h2.portOk).toBeGreaterThanOrEqual(8);
    // third batch (40 messages from threads none of the others came from), scored untouched before
    // any pattern was written for it: stage 38/40, port 39/40, proto 40/40, host IP 39/40
    expect(h3.stageOk).toBeGreaterThanOrEqual(38);
    expect(h3.portOk).toBeGreaterThanOrEqual(39);
    expect(h3.protoIpLabelled).toBe(40);
    expect(h3.protoOk).toBeGreaterThanOrEqual(40);
    expect(h3.ipOk).toBeGreaterThanOrEqual(39);
    // fourth batch (33 messages from yet other threads), collected after the tuning on batches 1-3 and
    // scored untouched: stage 27/33, port 30/33, proto 32/33, host IP 32/33 (the misses: docs/explain-accuracy.md)
    expect(h4.stageOk).toBeGreaterThanOrEqual(27);
    expect(h4.portOk).toBeGreaterThanOrEqual(30);
    expect(h4.protoIpLabelled).toBe(33);
    expect(h4.protoOk).toBeGreaterThanOrEqual(32);
    expect(h4.ipOk).toBeGreaterThanOrEqual(32);
    // fifth batch (31 messages from yet other threads), collected after the tuning on batch 4 and scored
    // untouched: stage 30/31, port 30/31, proto 31/31, host IP 30/31
    expect(h5.stageOk).toBeGreaterThanOrEqual(30);
    expect(h5.portOk).toBeGreaterThanOrEqual(30);
    expect(h5.protoIpLabelled).toBe(31);
    expect(h5.protoOk).toBeGreaterThanOrEqual(31);
    expect(h5.ipOk).toBeGreaterThanOrEqual(30);
    // sixth batch (32 messages from yet other threads), collected after the tuning on batch 5 and scored
    // untouched: stage 29/32, port 30/32, proto 31/32, host IP 32/32
    expect(h6.stageOk).toBeGreaterThanOrEqual(29);
    expect(h6.portOk).toBeGreaterThanOrEqual(30);
    expect(h6.protoIpLabelled).toBe(32);
    expect(h6.protoOk).toBeGreaterThanOrEqual(31);
    expect(h6.ipOk).toBeGreaterThanOrEqual(32);
    // seventh batch (41 messages from 41 yet other threads), collected with the code as batch 6 met it
    // and scored untouched: stage 31/41, port 39/41, proto 41/41, host IP 40/41
    expect(h7.stageOk).toBeGreaterThanOrEqual(31);
    expect(h7.portOk).toBeGreaterThanOrEqual(39);
    expect(h7.protoIpLabelled).toBe(41);
    expect(h7.protoOk).toBeGreaterThanOrEqual(41);
    expect(h7.ipOk).toBeGreaterThanOrEqual(40);
    // eighth batch (42 messages from 42 yet other threads), collected after the tuning on batches 6-7
    // and scored untouched: stage 30/42, port 33/42, proto 38/42, host IP 36/42 (then tuned on)
    expect(h8.stageOk).toBeGreaterThanOrEqual(30);
    expect(h8.portOk).toBeGreaterThanOrEqual(33);
    expect(h8.protoIpLabelled).toBe(42);
    expect(h8.protoOk).toBeGreaterThanOrEqual(38);
    expect(h8.ipOk).toBeGreaterThanOrEqual(36);
    // ninth batch (41 messages from 41 yet other threads), collected after the tuning on batch 8 and
    // scored untouched: stage 35/41, port 37/41, proto 40/41, host IP 39/41 (then tuned on)
    expect(h9.stageOk).toBeGreaterThanOrEqual(35);
    expect(h9.portOk).toBeGreaterThanOrEqual(37);
    expect(h9.protoIpLabelled).toBe(41);
    expect(h9.protoOk).toBeGreaterThanOrEqual(40);
    expect(h9.ipOk).toBeGreaterThanOrEqual(39);
    // tenth batch (50 messages from 50 yet other threads), sampled to be representative (fixed queries,
    // every qualifying thread in result order), collected after the tuning on batch 9 and scored
    // untouched: stage 40/50, port 48/50, proto 48/50, host IP 48/50 (not tuned on)
    expect(h10.stageOk).toBeGreaterThanOrEqual(40);
    expect(h10.portOk).toBeGreaterThanOrEqual(48);
    expect(h10.protoIpLabelled).toBe(50);
    expect(h10.protoOk).toBeGreaterThanOrEqual(48);
    expect(h10.ipOk).toBeGreaterThanOrEqual(48);
    const parts = [h1, h2, h3, h4, h5, h6, h7, h8, h9, h10];
    expect([h.stageOk, h.portOk]).toEqual([
      parts.reduce((a, x) => a + x.stageOk, 0),
      parts.reduce((a, x) => a + x.portOk, 0),
    ]);
  });
});

describe('the classes issue 15 lists', () => {
  const p = (t: string, rootless = false) => primary(explain(t, { rootless }));
  it('Podman netavark and CNI firewall errors are firewall programming', () => {
    for (const t of [
      'Error: netavark: code: 1, msg: iptables: Chain NETAVARK_FORWARD does not exist',
      "ERRO[0000] Error adding network: failed to list iptables chains: running [/sbin/iptables -t filter -S --wait]: exit status 1: iptables v1.8.2 (nf_tables): table `filter' is incompatible, use 'nft' tool.",
      "netavark: unable to append rule '-d 10.88.0.0/16 -j ACCEPT' to table 'nat': code: 4",
    ])
      expect(p(t)).toMatchObject({ stage: 'firewall-programming', conflict: false });
  });
  it('"Address already in use" about an IP (gateway, static IP) is not a host bind', () => {
    for (const t of [
      'Error response from daemon: failed to allocate gateway (10.0.3.1): Address already in use',
      'starting container failed: Address already in use',
    ])
      expect(p(t)).toMatchObject({
        stage: 'other',
        conflict: false,
        pattern: 'ip-address-in-use',
        subject: { port: null },
      });
    // the kernel's EADDRINUSE is still a host bind
    expect(p('failed to bind host port 0.0.0.0:20001/tcp: address already in use')?.stage).toBe('host-bind');
  });
  it("rootless 28+ naming RootlessKit's child address is the rootless port driver", () => {
    expect(p('failed to bind host port 10.0.2.100:3000/tcp: address already in use')).toMatchObject({
      stage: 'rootless-port-driver',
      subject: { port: 3000, ip: '10.0.2.100' },
    });
  });
  it("Swarm's and Docker Desktop's wordings give their port", () => {
    expect(
      p("Error response from daemon: rpc error: code = 3 desc = port '2181' is already in use by service 'x'"),
    ).toMatchObject({ stage: 'port-allocator', subject: { port: 2181 } });
    expect(
      p(
        'Error response from daemon: ports are not available: exposing port TCP 0.0.0.0:3001 /forwards/expose returned unexpected status: 500',
      ),
    ).toMatchObject({ stage: 'desktop-vpnkit', subject: { port: 3001, ip: '0.0.0.0', proto: 'tcp' } });
  });
  it('a multi-failure paste whose first line has no reason: the top-level answer is the most informative failure', () => {
    const paste = [
      'WARN[0000] The "TAG" variable is not set. Defaulting to a blank string.',
      'Error response from daemon: driver failed programming external connectivity on endpoint a-web-1 (3f2a',
      'Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint a-db-1 (y): failed to bind host port for 0.0.0.0:20002:172.18.0.3:5432/tcp: address already in use',
    ].join('\n');
    const r = explain(paste);
    expect(r.explanations.map((e) => e.pattern)).toEqual(['wrapper-only', 'host-bind']);
    expect(primary(r)).toMatchObject({ stage: 'host-bind', subject: { port: 20002 } });
    // a look-alike with its own reason still beats a bare wrapper
    const fw = explain(
      'Error response from daemon: driver failed programming external connectivity on endpoint x (1\nError: netavark: code: 1, msg: iptables: Chain already exists.',
    );
    expect(primary(fw)?.stage).toBe('firewall-programming');
  });
});

// what the held-out batches missed when they were scored (each message is one of theirs); tuned on
// after the score was recorded, so these batches no longer count as unseen (docs/explain-accuracy.md)
describe('the classes the held-out batches missed', () => {
  const p = (t: string) => primary(explain(t));
  it('a static IP taken ("Error response from daemon: Address already in use") is about an IP, not a port', () => {
    expect(p('Error response from daemon: Address already in use')).toMatchObject({
      pattern: 'ip-address-in-use',
      subject: { port: null },
    });
  });
  it("swarm's host-mode publish conflict is the allocator's, with no port in the text", () => {
    expect(p('Pending 27 minutes ago      "host-mode port already in use on 1 node"')).toMatchObject({
      stage: 'port-allocator',
      subject: { port: null },
    });
  });
  it("a filter rule's --dport is the container's port: no host port, no host IP", () => {
    const t =
      'docker: Error response from daemon: driver failed programming external connectivity on endpoint jaeger (49fb):  (iptables failed: iptables --wait -t filter -A DOCKER ! -i docker0 -o docker0 -p tcp -d 172.17.0.2 --dport 16686 -j ACCEPT: iptables: No chain/target/match by that name.\n (exit status 1)).';
    expect(p(t)).toMatchObject({ stage: 'firewall-programming', subject: { port: null, ip: null, proto: 'tcp' } });
    // the NAT rule's --dport is the host port
    expect(
      p(
        'iptables failed: iptables --wait -t nat -A DOCKER -p tcp -d 0/0 --dport 32817 -j DNAT --to-destination 172.17.0.2:8080 ! -i docker0: iptables: No chain/target/match by that name.',
      )?.subject.port,
    ).toBe(32817);
  });
  it('permission look-alikes: vpnkit EACCES, podman "Port(s) already bound: 80: Permission denied"', () => {
    expect(
      p(
        'Error starting userland proxy: Bind for 0.0.0.0:80: unexpected error Unix.Unix_error(Unix.EACCES, "bind", "").',
      ),
    ).toMatchObject({ stage: 'permission', subject: { port: 80 } });
    expect(p('Port(s) already bound: 80: Permission denied')).toMatchObject({
      stage: 'permission',
      subject: { port: 80 },
    });
  });
  it('rootless Podman < 1.0, Windows HNS, a Rust app, a Go app log line', () => {
    expect(p('port bindings are not yet supported by rootless containers')?.stage).toBe('rootless-port-driver');
    expect(
      p(
        'ERROR: for web  Cannot start service web: failed to create endpoint w on network nat: HNS failed with error : The process cannot access the file because it is being used by another process.',
      ),
    ).toMatchObject({ stage: 'other', pattern: 'windows-containers' });
    expect(
      p(
        "thread 'main' panicked at 'error binding to [::]:8080: error creating server listener: Address family not supported by protocol (os error 97)'",
      )?.subject,
    ).toMatchObject({ port: 8080, ip: '::' });
    expect(p('2023/04/21 21:51:23 listen tcp 127.0.0.1:10000: bind: address already in use')?.stage).toBe('other');
  });
  it('batch 4: dnsmasq and HAProxy in the container, a subnet clash, podman machine, nf_tables, a redacted IP, WinNAT', () => {
    expect(
      p(
        '[2022-10-04 17:43:28.557 6828M] FATAL ERROR in dnsmasq core: failed to create listening socket for port 53: Address already in use',
      ),
    ).toMatchObject({ pattern: 'app-own-bind', subject: { port: 53 } });
    expect(
      p(
        'netdata_proxy  | [ALERT] 098/102718 (1) : Starting frontend dockerfrontend: cannot create listening socket [:::2375]',
      ),
    ).toMatchObject({ stage: 'other', subject: { port: 2375, ip: '::' } });
    expect(
      p(
        'ERROR: cannot create network 9a05 (br-9a05): conflicts with network 6c25 (br-6c25): networks have overlapping IPv4',
      ),
    ).toMatchObject({ pattern: 'network-overlap', stage: 'other' });
    expect(
      p(
        'Error response from daemon: something went wrong with the request: "listen tcp :5000: bind: address already in use\\n"',
      ),
    ).toMatchObject({ stage: 'desktop-vpnkit', subject: { port: 5000 } });
    expect(p('iptables v1.8.11 (nf_tables): CHAIN_ADD failed (No such file or directory)')?.stage).toBe(
      'firewall-programming',
    );
    expect(
      p('Error starting userland proxy: listen tcp MYIP:443: bind: cannot assign requested address')?.subject,
    ).toMatchObject({ port: 443, ip: null, proto: 'tcp' });
    expect(
      p(
        'ERROR: for api  Cannot start service api: failed to create endpoint api on network x_default: Windows does not support host IP addresses in NAT settings',
      )?.pattern,
    ).toBe('windows-containers');
  });
  it("batches 6-7: Go's bare listen error without any engine's words is an application's log", () => {
    for (const t of [
      // logrus, like dockerd: the words around it are the application's
      'time="2016-11-22T12:35:00Z" level=fatal msg="Error creating server: listen tcp :8080: bind: address already in use"',
      // Synology's container log view: date, stream, text
      '2024/07/07 11:42:23\tstdout\tFailed to start server: listen tcp :8080: bind: address already in use',
      'Error: loading initial config: loading new config: http app module: start: listening on :80: listen tcp :80: bind: address already in use',
    ])
      expect(p(t)).toMatchObject({ stage: 'other', pattern: 'app-own-listen', subject: { port: expect.any(Number) } });
    // a line compose prefixes with its service name is the container's output, whatever it says
    expect(
      p('caddy            | 2019/12/18 10:01:51 Listen: listen tcp :443: bind: address already in use'),
    ).toMatchObject({ stage: 'other', subject: { port: 443, proto: 'tcp', ip: null } });
    expect(p('web-1  | Error: EADDRINUSE: something else on the port')?.pattern).toBe('app-own-listen');
    // the same words inside the engine's wrapper stay the engine's
    expect(
      p(
        'docker: Error response from daemon: driver failed programming external connectivity on endpoint x (1): Error starting userland proxy: listen tcp 0.0.0.0:80: bind: address already in use.',
      )?.stage,
    ).toBe('userland-proxy');
    // docker-proxy's tcp4/tcp6 network names, quoted without the daemon's wrapper
    expect(p('listen tcp4 0.0.0.0:80: bind: address already in use')?.stage).toBe('userland-proxy');
  });
  it("batch 6: Windows' EADDRINUSE without the forwarder's words; a partly redacted IP keeps its port", () => {
    expect(
      p(
        'time="2018-03-20T04:52:38-05:00" level=error msg="Error opening listener listen tcp xxx.247.131.221:80: bind: Only one usage of each socket address (protocol/network address/port) is normally permitted."',
      ),
    ).toMatchObject({ stage: 'other', subject: { port: 80, proto: 'tcp', ip: null } });
    // with the proxy's words it is still Docker Desktop's forwarder
    expect(
      p(
        'Error starting userland proxy: listen tcp 0.0.0.0:5435: bind: Only one usage of each socket address (protocol/network address/port) is normally permitted.',
      )?.stage,
    ).toBe('desktop-vpnkit');
  });
  it("batches 6-7: Java and gunicorn bind failures are the application's, with their port", () => {
    expect(p("java.net.BindException: Failed to listen on port 50000 because it's already in use.")).toMatchObject({
      stage: 'other',
      subject: { port: 50000, proto: null },
    });
    expect(p("[ERROR] Can't connect to ('0.0.0.0', 80)")).toMatchObject({
      stage: 'other',
      subject: { port: 80, ip: '0.0.0.0' },
    });
    expect(p("[2024-01-05 09:50:54 +0000] [7] [ERROR] Connection in use: ('0.0.0.0', 8000)")?.subject.port).toBe(8000);
  });
  it("batch 7: a WSAEACCES cut short, netavark's firewalld driver, host network with ports:, a dockerd log without Bind for", () => {
    expect(
      p(
        'docker: Error response from daemon: Ports are not available: exposing port TCP 127.0.0.1:80 -> 0.0.0.0:0: listen tcp 127.0.0.1:80: bind: An attempt was made',
      ),
    ).toMatchObject({ stage: 'permission', subject: { port: 80, ip: '127.0.0.1' } });
    expect(
      p(
        "Error: netavark: Failed to update firewalld policy netavark_portfwd port forwarding rules: DBus error: org.fedoraproject.FirewallD1.Exception: INVALID_FORWARD: Policy 'netavark_portfwd'",
      ),
    ).toMatchObject({ stage: 'firewall-programming', conflict: false });
    expect(p('ERROR: for caddy  "host" network_mode is incompatible with port_bindings')).toMatchObject({
      pattern: 'network-mode-ports',
      subject: { port: null },
    });
    expect(
      p('docker: Error response from daemon: conflicting options: port publishing and the container type network mode.')
        ?.pattern,
    ).toBe('network-mode-ports');
    expect(
      p(
        '[47265b99.allocate_port(7e88)] Failed to allocate and map port 5000: Timed out proxy starting the userland proxy',
      ),
    ).toMatchObject({ stage: 'userland-proxy', subject: { port: 5000 } });
  });
  it("batch 8: applications' own errors in Python's, musl's, Java's, dnsmasq's and postgres's words", () => {
    for (const t of [
      'OSError: [Errno 98] Address already in use',
      // musl's (Alpine's) strerror(EADDRINUSE); no engine words it so
      'dnsmasq     | dnsmasq: failed to create listening socket for port 53: Address in use',
      'Retrying a bind because of a failure to bind to address /172.20.0.6 and port 10001 (Address already in use (Bind failed))',
      'could not bind IPv4 address "0.0.0.0": Address already in use',
    ])
      expect(p(t)?.stage).toBe('other');
    expect(p('dnsmasq: failed to create listening socket for port 53: Address in use')?.subject.port).toBe(53);
    expect(
      p(
        "Failed to create HTTP server at port 8123: [Errno 98] error while attempting to bind on address ('::', 8123, 0, 0): [errno 98] address in use",
      ),
    ).toMatchObject({ stage: 'other', subject: { port: 8123, ip: '::' } });
    expect(
      p('failure to bind to address /172.20.0.6 and port 10001 (Address already in use (Bind failed))')?.subject,
    ).toMatchObject({ port: 10001, ip: '172.20.0.6' });
  });
  it('batch 8: a static IP taken behind compose v1\'s "Cannot start service x:" is about an IP', () => {
    expect(p('ERROR: for dovecot  Cannot start service dovecot: Address already in use')).toMatchObject({
      pattern: 'ip-address-in-use',
      subject: { port: null },
    });
    // the kernel's EADDRINUSE after the same prefix is still a port
    expect(
      p(
        'ERROR: for web  Cannot start service web: driver failed programming external connectivity on endpoint w (1): Error starting userland proxy: listen tcp 0.0.0.0:80: bind: address already in use',
      )?.stage,
    ).toBe('userland-proxy');
  });
  it("batch 8: iptables lock contention; a hairpin MASQUERADE rule's --dport is the container's", () => {
    expect(
      p(
        'Cannot start service db: driver failed programming external connectivity on endpoint d (e0): Error iptables FORWARD: Another app is currently holding the xtables lock; waiting (1s) for it to exit',
      ),
    ).toMatchObject({ stage: 'firewall-programming', subject: { port: null } });
    expect(
      p('unable to add inter-network communication rule: Another app is currently holding the xtables lock')?.stage,
    ).toBe('firewall-programming');
    expect(
      p(
        '(iptables failed: iptables -t nat -A POSTROUTING -p tcp -s 172.16.128.7 -d 172.16.128.7 --dport 8081 -j MASQUERADE: Another app is currently holding the xtables lock.',
      )?.subject,
    ).toMatchObject({ port: null, ip: null, proto: 'tcp' });
  });
  it('batch 8: classic swarm, a swarm task in host mode, Go address parse errors, a cut Bind for, a markdown link', () => {
    expect(
      p(
        'docker: Error response from daemon: Unable to find a node that satisfies the following conditions\n[port 80 (Bridge mode)].',
      ),
    ).toMatchObject({ stage: 'port-allocator', subject: { port: 80 } });
    expect(
      p('"Err": "container cannot be disconnected from host network or connected to host network",')?.pattern,
    ).toBe('network-mode-ports');
    expect(
      p(
        'Error starting userland proxy: error while calling PortManager.AddPort(): listen tcp: address :::9315: too many colons in address',
      )?.subject,
    ).toMatchObject({ port: 9315, ip: '::', proto: 'tcp' });
    expect(
      p(
        'driver failed programming external connectivity on end  Creating x ... done\n:8080 failed: port is already allocated',
      ),
    ).toMatchObject({
      stage: 'port-allocator',
      subject: { port: 8080 },
    });
    expect(
      p('nginx: [emerg] bind() to [0.0.0.0:80](http://0.0.0.0/) failed (13: Permission denied)')?.subject,
    ).toMatchObject({
      port: 80,
      ip: '0.0.0.0',
    });
    // a privileged port without its listen text names no protocol
    expect(p('podman: rootlessport cannot expose privileged port 80')?.subject).toMatchObject({
      port: 80,
      proto: null,
    });
  });
  it("batch 9: OpenSSH's and an application's own port check are the application's, with their port", () => {
    // glibc's wording too: "failed: Address already in use." would otherwise read as an IP taken
    for (const [t, ip] of [
      ['Bind to port 2222 on 0.0.0.0 failed: Address already in use.', '0.0.0.0'],
      ['sshd  | Bind to port 22 on :: failed: Address in use.', '::'],
    ] as const)
      expect(p(t)).toMatchObject({
        stage: 'other',
        pattern: 'app-own-bind',
        subject: { port: Number(t.match(/port (\d+)/)?.[1]), ip },
      });
    for (const t of ['Port 8443 not available', 'Port 3000 is already in use', 'Port 8080 was already in use.'])
      expect(p(t)).toMatchObject({ stage: 'other', subject: { port: Number(t.match(/\d+/)?.[0]) } });
  });
  it("batch 9: Go's bare EACCES without an engine's words is an application's; with them it stays the engine's", () => {
    expect(p('Error: listen tcp 0.0.0.0:80: bind: permission denied')).toMatchObject({
      stage: 'other',
      subject: { port: 80, proto: 'tcp' },
    });
    expect(p('app-1  | run: listening on :8443: listen tcp :8443: bind: permission denied')?.stage).toBe('other');
    for (const t of [
      'Error starting userland proxy: error while calling PortManager.AddPort(): cannot expose privileged port 80: listen tcp 0.0.0.0:80: bind: permission denied',
      'Error response from daemon: Ports are not available: listen tcp 0.0.0.0:443: bind: permission denied',
    ])
      expect(p(t)?.stage).toBe('permission');
  });
  it('batch 9: rootless Podman 0.x without port support; the one -p of a command line in the same message gives the port', () => {
    expect(
      p('$ podman run -d -p 127.0.0.1:9000:80/udp nginx\nrootless networking does not allow port binding to the host'),
    ).toMatchObject({ stage: 'rootless-port-driver', subject: { port: 9000, ip: '127.0.0.1', proto: 'udp' } });
    // two mappings: which one failed is not in the text
    expect(
      p('podman pod create -p 8080:80 -p 8443:443\nrootless networking does not allow port binding to the host')
        ?.subject.port,
    ).toBeNull();
  });
  it('batch 9: words broken by a blank in a copy are put back together', () => {
    expect(
      p('Error starting userland proxy: listen tcp4 10.1.2.3:8080: bind: cannot as sign reque sted address'),
    ).toMatchObject({ stage: 'address-not-available', subject: { port: 8080, ip: '10.1.2.3' } });
    expect(p('Bind for 0.0.0.0:5432 failed: port is alre ady allo cated')).toMatchObject({
      stage: 'port-allocator',
      subject: { port: 5432 },
    });
    // the case of a phrase is kept ("Address already in use" with a capital A is libnetwork's IP taken)
    expect(p('Error response from daemon: Addre ss already in use')?.pattern).toBe('ip-address-in-use');
  });
  it('batch 9: ip6tables and firewalld COMMAND_FAILED wordings are firewall programming', () => {
    for (const t of [
      'running [/sbin/ip6tables -t nat -A DOCKER -p tcp --dport 8080 -j DNAT --to-destination [fd00::2]:80 --wait]: exit status 2',
      'Error ip6tables FORWARD: ip6tables: Bad rule (does a matching rule exist in that chain?).',
      'Error initializing network controller: Failed to Setup IP tables: Unable to enable NAT rule: exit status 4',
      "ERROR:dbus.proxies:Introspect error: COMMAND_FAILED: '/usr/sbin/ip6tables -w10 -t filter -X DOCKER-USER' failed",
      "ZONE_CONFLICT: 'docker0' already bound to a zone",
    ])
      expect(p(t)).toMatchObject({ stage: 'firewall-programming', conflict: false });
  });
  it("batch 8's leftover: an address named without a port is kept (postgres)", () => {
    expect(p('could not bind IPv6 address "::1": Address already in use')?.subject).toMatchObject({
      port: null,
      ip: '::1',
      family: 6,
    });
  });
  it('batch 5: a copy cut by progress output does not outrank the whole failure that names its port', () => {
    const paste = [
      'ERROR: for nodedice_web_1  Cannot start service web: driver failed programming external connectivity on endpoint nodedice_web_1 (1d09): Error starting userland proxy: Bind for 0.0.Starting nodedice_mongo_1 ... done',
      '',
      'ERROR: for web  Cannot start service web: driver failed programming external connectivity on endpoint nodedice_web_1 (1d09): Error starting userland proxy: Bind for 0.0.0.0:80: unexpected error Permission denied',
    ].join('\n');
    expect(primary(explain(paste))).toMatchObject({ stage: 'permission', subject: { port: 80 } });
  });
});
