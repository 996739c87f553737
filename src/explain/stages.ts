// The stage vocabulary of the error corpus: which component refused the port.
export const STAGES = [
  'port-allocator',
  'userland-proxy',
  'host-bind',
  'firewall-programming',
  'rootless-port-driver',
  'desktop-vpnkit',
  'permission',
  'address-not-available',
  'other',
] as const;
export type Stage = (typeof STAGES)[number];
