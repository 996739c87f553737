import { duplicateHostPort } from './duplicate-host-port.js';
import { dynamicHostPort } from './dynamic-host-port.js';
import { hostPortInUse } from './host-port-in-use.js';
import { missingHostIp } from './missing-host-ip.js';
import { replicasFixedHostPort } from './replicas-fixed-host-port.js';
import { sensitivePortOnAllInterfaces } from './sensitive-port-on-all-interfaces.js';
import type { ComposeRule } from './types.js';
import { wellKnownHostPort } from './well-known-host-port.js';

export const composeRules = [
  duplicateHostPort,
  replicasFixedHostPort,
  hostPortInUse,
  sensitivePortOnAllInterfaces,
  missingHostIp,
  wellKnownHostPort,
  dynamicHostPort,
] as const satisfies readonly ComposeRule[];

/** problems the project loader reports (they are rules too: they can be re-levelled or disabled) */
export const LOADER_RULES = [
  'parse-error',
  'not-compose',
  'invalid-compose',
  'invalid-port',
  'unknown-variable',
  'include-not-found',
  'extends-not-found',
  'include-cycle',
  'extends-cycle',
  'ports-ignored-in-host-network',
] as const;
