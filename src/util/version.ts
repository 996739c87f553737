/** Compare dotted versions numerically ("29.1.10" > "29.1.2"); suffixes like "+dfsg1" are ignored. */
export function compareVersions(a: string, b: string): number {
  const pa = a
    .split(/[^0-9.]/)[0]!
    .split('.')
    .map(Number);
  const pb = b
    .split(/[^0-9.]/)[0]!
    .split('.')
    .map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
