// Databases and admin endpoints published on every interface, where 127.0.0.1 would do.
import { COMPOSE_RULE_MESSAGES } from './messages.js';
import { defineComposeRule, type ProblemDraft } from './types.js';

export const SENSITIVE: Readonly<Record<number, string>> = {
  5432: 'PostgreSQL',
  3306: 'MySQL/MariaDB',
  1433: 'SQL Server',
  1521: 'Oracle',
  27017: 'MongoDB',
  6379: 'Redis',
  11211: 'memcached',
  9200: 'Elasticsearch',
  9300: 'Elasticsearch transport',
  5984: 'CouchDB',
  9042: 'Cassandra',
  8086: 'InfluxDB',
  5672: 'RabbitMQ',
  15672: 'RabbitMQ management',
  2375: 'Docker API (plain)',
  2376: 'Docker API',
  8500: 'Consul',
  2379: 'etcd',
  9090: 'Prometheus',
  6443: 'Kubernetes API',
};

export const sensitivePortOnAllInterfaces = defineComposeRule({
  meta: {
    id: 'sensitive-port-on-all-interfaces',
    severity: 'warning',
    description: 'A database or admin port is published on all interfaces where a loopback binding would do.',
    messages: COMPOSE_RULE_MESSAGES['sensitive-port-on-all-interfaces'],
  },
  check(ctx) {
    const out: ProblemDraft<'allInterfaces'>[] = [];
    for (const p of ctx.projects)
      for (const s of p.services)
        for (const b of s.bindings) {
          if (b.hostPort === 'ephemeral' || (b.hostIp !== null && b.hostIp !== '0.0.0.0' && b.hostIp !== '::'))
            continue;
          const what = SENSITIVE[b.containerPort.start];
          if (!what) continue;
          out.push({
            ...b.at,
            messageId: 'allInterfaces',
            data: {
              proto: b.proto,
              hostIp: b.hostIp,
              port: b.hostPort.start,
              services: [s.name],
              service: s.name,
              what,
              containerPort: b.containerPort.start,
            },
          });
        }
    return out;
  },
});
