import { allocationWithoutListener } from './allocation-without-listener.js';
import { dnatOwnerUnknown } from './dnat-owner-unknown.js';
import { bindProbe } from './bind-probe.js';
import { bindRefusedUnexplained } from './bind-refused-unexplained.js';
import { conntrackFull } from './conntrack-full.js';
import { dockerRulesMissing } from './docker-rules-missing.js';
import { firewallDrop } from './firewall-drop.js';
import { firewallSplitBrain } from './firewall-split-brain.js';
import { foreignDnat } from './foreign-dnat.js';
import { orphanDnat } from './orphan-dnat.js';
import { portAllocatedToContainer } from './port-allocated-to-container.js';
import { portBoundByContainerOnOtherIp } from './port-bound-by-container-on-other-ip.js';
import { portHeldByForwarder } from './port-held-by-forwarder.js';
import { portHeldByHostNetworkContainer } from './port-held-by-host-network-container.js';
import { portHeldByHostProcess } from './port-held-by-host-process.js';
import { portHeldByUnseenOwner } from './port-held-by-unseen-owner.js';
import { resolvedStub } from './resolved-stub.js';
import { rootlessRegression } from './rootless-regression.js';
import { staleDockerProxy } from './stale-docker-proxy.js';
import { stoppedContainerClaimsPort } from './stopped-container-claims-port.js';
import type { Rule } from './types.js';

export const rules = [
  rootlessRegression,
  portAllocatedToContainer,
  allocationWithoutListener,
  portBoundByContainerOnOtherIp,
  portHeldByForwarder,
  portHeldByHostNetworkContainer,
  staleDockerProxy,
  resolvedStub,
  portHeldByHostProcess,
  portHeldByUnseenOwner,
  orphanDnat,
  foreignDnat,
  dnatOwnerUnknown,
  firewallSplitBrain,
  dockerRulesMissing,
  firewallDrop,
  conntrackFull,
  stoppedContainerClaimsPort,
  bindRefusedUnexplained,
  bindProbe,
] as const satisfies readonly Rule[];

export type RuleId = (typeof rules)[number]['meta']['id'];
