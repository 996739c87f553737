// The words of every compose rule, in one place: rule id → messageId → template. Rules report a
// messageId and data; src/compose/lint.ts renders the text with src/util/message.ts (`{{name}}`
// placeholders, `{{#flag}}…{{/flag}}` kept when flag is set, `{{^flag}}…{{/flag}}` when it is not).
// Tests assert messageIds and data, never this wording (test/unit/lint/messages.test.ts checks that
// every placeholder is in the data), so it can be edited freely here.

export const COMPOSE_RULE_MESSAGES = {
  'duplicate-host-port': {
    sameHostIp:
      'host port {{bind}}/{{proto}}{{#bothFamilies}} (and [::]){{/bothFamilies}} is already published by {{#sameService}}another entry of the same service{{/sameService}}{{^sameService}}service {{other}}{{/sameService}} on {{otherIp}}: the second one to start fails ("port is already allocated")',
    overlappingHostIp:
      'host port {{bind}}/{{proto}}{{#bothFamilies}} (and [::]){{/bothFamilies}} is already published by {{#sameService}}another entry of the same service{{/sameService}}{{^sameService}}service {{other}}{{/sameService}} on {{otherIp}}: the second one to start fails ("address already in use": different host IPs that overlap)',
  },
  'replicas-fixed-host-port': {
    tooFewPorts:
      'service {{service}} runs {{replicas}} replicas{{#replicasLine}} (line {{replicasLine}}){{/replicasLine}} but publishes host port {{ports}}/{{proto}}: only {{size}} can bind it; publish a range of {{replicas}} ports or drop the host port',
  },
  'host-port-in-use': {
    taken: 'host port {{port}}/{{proto}} is taken on this host by {{holderText}} ({{cause}}): {{finding}}',
  },
  'sensitive-port-on-all-interfaces': {
    allInterfaces:
      'service {{service}} publishes {{what}} (container port {{containerPort}}) on all interfaces; if only this host needs it, use "127.0.0.1:{{port}}:{{containerPort}}"',
  },
  'missing-host-ip': {
    noHostIp:
      'service {{service}} publishes host port {{port}}/{{proto}} with no host IP: it binds 0.0.0.0 and [::]; name the address ("0.0.0.0:{{port}}:…" or "127.0.0.1:…") to make that a decision',
  },
  'well-known-host-port': {
    usuallyHeld: 'service {{service}} publishes host port {{port}}/{{proto}}, usually held by {{heldBy}}',
  },
  'dynamic-host-port': {
    randomHostPort:
      'service {{service}} publishes container port {{port}}/{{proto}} on a random host port (Docker picks one at each start); write "{{port}}:{{port}}" (or another host port) if clients need a known address',
  },
} as const;
