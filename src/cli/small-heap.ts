// For the whole-host commands (ports, exporter): a heap sized to the live data, not to the burst.
// By default V8 doubles each semi-space (up to 16 MB) while a burst of allocation survives, and a
// whole-host collection is one such burst: on a ×4 busy host that growth, never given back, was
// ~40 MB of the peak RSS with ~25 MB of live data (bench/results/conditions.md). Growth factor 1
// keeps the young generation small at a few percent more scavenges. The old generation's next
// limit is then set 30 % above what survived a full collection instead of V8's default (up to
// 2× for a small heap): another ~12 MB off the peak. The answers are the same. Both are V8's own
// flags (node --v8-options) and are honoured when set at run time, unlike --max-semi-space-size,
// which is read once when the heap is made.
import { setFlagsFromString } from 'node:v8';

export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1 --heap-growing-percent=30');
}
