// The ports a "use port N instead" may name, nearest first: one step up, one step down, and so on,
// never below 1024. A module of its own: diagnose collects them before the remedies are loaded.
export function candidatePorts(port: number, span = 50): number[] {
  const out: number[] = [];
  for (let d = 1; d <= span; d++) {
    if (port + d <= 65535) out.push(port + d);
    if (port - d >= 1024) out.push(port - d);
  }
  return out;
}
