// Lab: other-container-stopped. Created, exited and failed-start containers hold nothing, even
// when `docker ps` lists `0.0.0.0:P->80/tcp` for them. But starting one claims the port again, so
// they are worth a note (a warning when a restart policy will start them by itself).
import type { PortBinding } from '../model.js';
import { familyOf, isWildcard } from '../util/ip.js';
import { containerHolder, containerLabel, displayBind } from './holders.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

function overlaps(p: PortBinding, b: { proto: string; ip: string; port: number }): boolean {
  if (p.proto !== b.proto || p.hostPort !== b.port) return false;
  if (familyOf(p.hostIp) !== familyOf(b.ip)) return false;
  return p.hostIp === b.ip || isWildcard(p.hostIp) || isWildcard(b.ip);
}

export const stoppedContainerClaimsPort = defineRule({
  meta: {
    id: 'stopped-container-claims-port',
    cause: 'container',
    description: 'A container that is not running would claim this port when started.',
    requires: ['containers'],
    messages: HOST_RULE_MESSAGES['stopped-container-claims-port'],
  },
  check({ index, snap }) {
    const out: FindingDraft[] = [];
    const all = snap.containers.ok ? snap.containers.value : [];
    for (const c of all) {
      if (c.state === 'running' || c.state === 'paused') continue;
      const binds = [...(c.configured ?? []), ...c.published];
      const hit = index.requested.find((b) => binds.some((p) => overlaps(p, b)));
      if (!hit) continue;
      const listed = c.published.some((p) => overlaps(p, hit));
      const auto = c.restartPolicy === 'always' || (c.restartPolicy === 'unless-stopped' && c.state !== 'exited');
      out.push({
        severity: auto ? 'warning' : 'info',
        confidence: 'certain',
        messageId: 'wouldClaim',
        holders: [containerHolder(c, hit)],
        evidence: [
          {
            fact: 'containers',
            says: `${c.name}: ${c.status || c.state}; ${listed ? 'lists' : 'configured with'} ${displayBind(hit)}`,
          },
        ],
        data: {
          container: containerLabel(c),
          bind: displayBind(hit),
          listed,
          autoRestartPolicy: auto ? c.restartPolicy : null,
          containerId: c.id,
          containerName: c.name,
          state: c.state,
          restartPolicy: c.restartPolicy,
        },
      });
    }
    return out;
  },
});
