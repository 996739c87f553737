// moby#51591: rootless Docker 29.0.0 through 29.1.1 with the slirp4netns port driver binds the
// child IP 10.0.2.100 twice (once for 0.0.0.0, once for [::]) and fails EVERY publish with
// "failed to bind host port 10.0.2.100:P/tcp: address already in use". Fixed in 29.1.2
// (moby#51616). Some write-ups say 29.0.0-29.0.2; the upstream record is wider and is trusted here.
import { compareVersions } from '../util/version.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const ROOTLESS_REGRESSION = {
  first: '29.0.0',
  last: '29.1.1',
  fixed: '29.1.2',
  issue: 'moby/moby#51591',
  fix: 'moby/moby#51616',
} as const;

export const rootlessRegression = defineRule({
  meta: {
    id: 'rootless-regression',
    cause: 'rootless-regression',
    description: 'Rootless Docker 29.0.0-29.1.1 with the slirp4netns port driver refuses every published port.',
    requires: ['engine'],
    messages: HOST_RULE_MESSAGES['rootless-regression'],
  },
  check({ snap, symptom }) {
    const e = snap.engine.ok ? snap.engine.value : null;
    if (!e?.rootless) return [];
    const v = e.version.replace(/^v/, '');
    if (compareVersions(v, ROOTLESS_REGRESSION.first) < 0 || compareVersions(v, ROOTLESS_REGRESSION.last) > 0)
      return [];
    // only the slirp4netns port driver is affected; pasta/implicit and builtin are not
    if (e.rootlessPortDriver && e.rootlessPortDriver !== 'slirp4netns') return [];
    const childIp = symptom?.ip === '10.0.2.100';
    const out: FindingDraft = {
      severity: 'error',
      confidence: childIp || e.rootlessPortDriver === 'slirp4netns' ? 'certain' : 'likely',
      messageId: 'regression',
      holders: [],
      evidence: [
        {
          fact: 'engine',
          says: `ServerVersion ${e.version}, SecurityOptions ${e.securityOptions.join(' ')}, port driver ${e.rootlessPortDriver ?? 'unknown (RootlessKit not readable)'}`,
        },
        ...(symptom ? [{ fact: 'symptom' as const, says: symptom.text.slice(0, 200) }] : []),
      ],
      data: {
        version: v,
        fixedIn: ROOTLESS_REGRESSION.fixed,
        issue: ROOTLESS_REGRESSION.issue,
        first: ROOTLESS_REGRESSION.first,
        last: ROOTLESS_REGRESSION.last,
        fixed: ROOTLESS_REGRESSION.fixed,
      },
    };
    return [out];
  },
});
