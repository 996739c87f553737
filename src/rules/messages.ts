// The words of every host rule, in one place: rule id → messageId → template. Rules report a
// messageId and data; src/rules/engine.ts renders the text (src/util/message.ts: `{{name}}`
// placeholders, `{{#flag}}…{{/flag}}` kept when flag is set, `{{^flag}}…{{/flag}}` when it is not).
// Tests assert messageIds and data, never this wording, so it can be edited freely here.

export const HOST_RULE_MESSAGES = {
  'docker-rules-missing': {
    dnatGone:
      "Container {{container}} publishes {{bind}}, but the DNAT rule for {{hostPort}}/{{proto}} → {{containerIp}}:{{containerPort}} is gone from Docker's DOCKER chain: a firewall reload (firewalld, iptables-restore, a nat flush) removed it while dockerd still believes the port is mapped. {{#stillAnswers}}Outside traffic still arrives because {{outcome}}, but the client's source address is lost and it breaks as soon as the proxy is off (userland-proxy=false).{{/stillAnswers}}{{^stillAnswers}}Outside clients no longer reach it: {{outcome}}.{{/stillAnswers}}",
    jumpGone:
      "Container {{container}} publishes {{bind}}; its DNAT rule is still there ({{rule}}) but nothing jumps to chain {{chain}} from {{hooks}} any more: a firewall reload (firewalld, iptables-restore, a nat flush) removed the jump while dockerd still believes the port is mapped. {{#stillAnswers}}Outside traffic still arrives because {{outcome}}, but the client's source address is lost and it breaks as soon as the proxy is off (userland-proxy=false).{{/stillAnswers}}{{^stillAnswers}}Outside clients no longer reach it: {{outcome}}.{{/stillAnswers}}",
    chainGone:
      "Container {{container}} publishes {{bind}}, but Docker's nat DOCKER chain is gone altogether, and with it every DNAT for published ports (a firewall reload, an iptables-restore or a nat flush; unless this dockerd runs with --iptables=false). {{#stillAnswers}}Outside traffic still arrives because {{outcome}}, but the client's source address is lost and it breaks as soon as the proxy is off (userland-proxy=false).{{/stillAnswers}}{{^stillAnswers}}Outside clients no longer reach it: {{outcome}}.{{/stillAnswers}}",
  },
  'firewall-drop': {
    dropped:
      'Traffic from outside to {{bind}} (container {{container}}) is {{#rejected}}rejected{{/rejected}}{{^rejected}}dropped{{/rejected}} by {{where}}: {{ruleText}}{{#someClients}}, for some clients only ({{assumptions}}){{/someClients}}. Connections from the host itself do not cross this rule, so a local check still passes.',
  },
  'conntrack-full': {
    full: 'The conntrack table holds {{count}} of {{max}} entries (nf_conntrack_max): it is full, so the kernel drops the first packet of every new connection silently (its log says "nf_conntrack: table full, dropping packet"). Raise the limit (net.netfilter.nf_conntrack_max={{suggestedMax}}) and find what fills it (conntrack -S).',
    near: 'The conntrack table holds {{count}} of {{max}} entries ({{percent}}% of nf_conntrack_max): under load the kernel drops the first packet of new connections silently. Raise the limit (net.netfilter.nf_conntrack_max={{suggestedMax}}) and find what fills it (conntrack -S).',
  },
  'rootless-regression': {
    regression:
      'Rootless Docker {{version}} has the slirp4netns port-driver regression ({{issue}}, affects {{first}}-{{last}}, fixed in {{fixed}}): every publish fails with "address already in use" on 10.0.2.100, whoever holds the port.',
  },
  'port-allocated-to-container': {
    allocated:
      'Container {{container}} already publishes {{bind}}: dockerd\'s port allocator refuses a second mapping of it ("port is already allocated"){{#via}} (it publishes {{via}}, and this engine\'s allocator also refuses an overlapping host IP){{/via}}.',
    podmanPublished:
      'Podman container {{container}} already publishes {{bind}}: a second publish fails ("cannot listen on the TCP port … address already in use").',
  },
  'allocation-without-listener': {
    proxyGone:
      'Container {{container}} still holds dockerd\'s allocation for {{bind}} but no docker-proxy listens for it (the proxy was killed): new mappings get "port is already allocated" and loopback traffic to the port is not forwarded.',
  },
  'port-bound-by-container-on-other-ip': {
    overlaps:
      'Container {{container}} publishes {{held}}, which overlaps {{requested}}: the kernel refuses the new bind ("address already in use") although the holder is a container.',
  },
  'port-held-by-forwarder': {
    forContainer:
      '{{owner}}, {{what}}, holds {{held}} for container {{container}}; the bind of {{requested}} is refused.',
    forOtherEngine:
      '{{owner}}, {{what}}, holds {{held}} for a container of another engine or user (uid {{uid}}; its API is not the one portdoctor reads); the bind of {{requested}} is refused.',
  },
  'port-held-by-host-network-container': {
    holds:
      '{{owner}} inside host-network {{#containerName}}{{containerName}} [{{shortId}}]{{/containerName}}{{^containerName}}container {{shortId}}{{/containerName}} holds {{held}}; host-network containers bind host ports directly and show no Ports in docker ps.',
  },
  'stale-docker-proxy': {
    childOfDockerd:
      'docker-proxy pid {{pid}} (a child of dockerd) holds {{held}} for {{target}}, an IP no running container has.',
    notDockerdsChild:
      'A {{#unproven}}process that looks like a {{/unproven}}stale docker-proxy (pid {{pid}}) holds {{held}}: its parent is {{parent}}, not dockerd, and it forwards to {{target}}{{#container}}, which is container {{container}}{{/container}}{{^container}}, which no container has{{/container}}.',
  },
  'resolved-stub': {
    stub: "systemd-resolved's DNS stub ({{comm}}, pid {{pid}}) holds {{held}}; publishing {{requested}} overlaps it.",
  },
  'port-held-by-host-process': {
    held: '{{owner}} on the host holds {{held}}{{#dualStack}} (a dual-stack [::] socket also covers IPv4){{/dualStack}}{{#maybeDualStack}} (a [::] socket whose IPV6_V6ONLY flag could not be read: it covers IPv4 unless it is v6-only){{/maybeDualStack}}, so the kernel refuses Docker\'s bind of {{requested}} ("address already in use").',
  },
  'bind-probe': {
    accepted:
      "The kernel accepted {{accepted}} of {{asked}} test binds as {{binder}} would make them ({{engine}}){{#overruled}}; the model expected {{overruled}} to refuse it, but the kernel accepted the bind (the holder may have just gone, or set options the model cannot see){{/overruled}}{{#lifted}}; {{lifted}} can share the port with {{binder}}'s socket (the kernel accepted the bind beside it: both set SO_REUSEADDR){{/lifted}}.",
  },
  'bind-refused-unexplained': {
    unexplained:
      "The kernel refused {{binder}}'s bind of {{bind}} ({{errno}}), but no socket holding it could be found: looked at {{looked}}{{#others}}; on the port there are only {{others}}, none of which overlaps it{{/others}}. It may be held by a socket this host cannot list.",
  },
  'port-held-by-unseen-owner': {
    timeWait:
      'A TIME-WAIT left by a closed connection on {{held}} is the only socket that overlaps {{requested}}, and the kernel refused the bind: no process owns it; it expires within 60 s (retry then).',
    hiddenFromRoot:
      'Something owned by uid {{uid}} holds {{held}}, which overlaps {{requested}}, but no visible process holds it: it may live in another PID namespace or be kernel-owned.',
    notRoot:
      'Something owned by uid {{uid}} holds {{held}}, which overlaps {{requested}}, but its process could not be seen (as root with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH it can be named).',
  },
  'orphan-dnat': {
    unreachable:
      'Orphan DNAT in {{where}} sends {{dnatPort}} to {{destination}}, {{#ipOwner}}container {{ipOwner}}, which does not publish this port{{/ipOwner}}{{^ipOwner}}an IP no running container has{{/ipOwner}}: nothing jumps to its chain, so it is dead weight rather than a hijack.{{#notProven}} Not proven dead: {{notProven}}.{{/notProven}}',
    takesTraffic:
      "Orphan DNAT in {{where}} sends {{dnatPort}} to {{destination}}, {{#ipOwner}}container {{ipOwner}}, which does not publish this port{{/ipOwner}}{{^ipOwner}}an IP no running container has{{/ipOwner}}: it takes outside traffic meant for container {{victim}}{{#shadowPosition}} (Docker's own rule comes after it, at position {{shadowPosition}}){{/shadowPosition}}; a localhost check still passes because loopback goes through docker-proxy.{{#notProven}} Not proven dead: {{notProven}}.{{/notProven}}",
    willTakeTraffic:
      'Orphan DNAT in {{where}} sends {{dnatPort}} to {{destination}}, {{#ipOwner}}container {{ipOwner}}, which does not publish this port{{/ipOwner}}{{^ipOwner}}an IP no running container has{{/ipOwner}}: a new docker run -p {{port}} will succeed, but outside traffic to the port will be sent to {{toIp}} instead.{{#notProven}} Not proven dead: {{notProven}}.{{/notProven}}',
  },
  'foreign-dnat': {
    unreachable:
      "DNAT in {{where}} sends {{dnatPort}} to {{destination}}, which belongs to {{owner}} ({{why}}): nothing jumps to its chain, so it takes no traffic now. It is not Docker's to delete.",
    takesTraffic:
      "DNAT in {{where}} sends {{dnatPort}} to {{destination}}, which belongs to {{owner}} ({{why}}): it takes outside traffic meant for container {{victim}}. It is not Docker's to delete.",
    willTakeTraffic:
      "DNAT in {{where}} sends {{dnatPort}} to {{destination}}, which belongs to {{owner}} ({{why}}): a new docker run -p {{port}} would succeed, but outside traffic to the port would go to {{destination}}. It is not Docker's to delete.",
  },
  'dnat-owner-unknown': {
    unknownOwner:
      "DNAT in {{where}} sends {{dnatPort}} to {{destination}}, but {{why}}: it may be another workload's port forward or a leftover, so it is reported and not touched.",
  },
  'firewall-split-brain': {
    otherBackend:
      "DNAT for {{dnatPort}} -> {{destination}} sits in {{where}}, but Docker writes its rules with {{#dockerBackend}}{{dockerBackend}}{{/dockerBackend}}{{^dockerBackend}}the other backend{{/dockerBackend}}{{#wsl}} (the WSL2 legacy/nft split){{/wsl}}: Docker's tools cannot see it, and because both NAT tables hook at priority -100 the one registered last wins, so it may take the traffic{{#victim}} meant for {{victim}}{{/victim}}.",
  },
  'stopped-container-claims-port': {
    wouldClaim:
      'Container {{container}} is {{state}} and holds nothing now{{#listed}} (although docker ps still lists the port for it){{/listed}}, but it would claim {{bind}} when started{{#autoRestartPolicy}}, and its restart policy "{{autoRestartPolicy}}" starts it by itself{{/autoRestartPolicy}}.',
  },
} as const satisfies Record<string, Record<string, string>>;

/** What each port forwarder is, for port-held-by-forwarder's {{what}}. */
export const FORWARDERS: Readonly<Record<string, string>> = {
  rootlesskit: "rootless Docker's RootlessKit (builtin port driver)",
  slirp4netns: 'the slirp4netns port driver (rootless Docker or Podman)',
  pasta: 'pasta (rootless Podman 5 / Docker with the implicit port driver)',
  'pasta.avx2': 'pasta (rootless Podman 5 / Docker with the implicit port driver)',
  rootlessport: "rootless Podman's rootlessport forwarder",
  conmon: "Podman's conmon (rootful Podman keeps published ports open in it)",
};
export const UNKNOWN_FORWARDER = 'a port forwarder';
