// Loaded into a portdoctor process by bench/soak.mjs (NODE_OPTIONS=--import): every few seconds it
// appends one JSON line of what a leak would grow: RSS and heap, live abort listeners over every
// AbortSignal (counted at add/remove, since Node has no global count), active handles, and every
// process warning (MaxListenersExceededWarning among them). Writes to PORTDOCTOR_SOAK_STATS only.
import { appendFileSync } from 'node:fs';

const out = process.env.PORTDOCTOR_SOAK_STATS;
const every = Number(process.env.PORTDOCTOR_SOAK_EVERY_MS ?? 5000);
if (out) {
  let live = 0;
  let added = 0;
  // per signal: its live listeners (EventTarget dedupes the same listener) and one hook of our own that
  // counts the `once` ones off when the signal aborts (one hook per signal, so the count Node warns at
  // is not raised by the probe itself)
  const perSignal = new WeakMap();
  const proto = globalThis.EventTarget.prototype;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  const stateOf = (signal) => {
    let st = perSignal.get(signal);
    if (!st) {
      st = { all: new Set(), once: new Set() };
      perSignal.set(signal, st);
      add.call(signal, 'abort', () => {
        live -= st.once.size;
        for (const f of st.once) st.all.delete(f);
        st.once.clear();
      });
    }
    return st;
  };
  proto.addEventListener = function (type, fn, opts) {
    if (type === 'abort' && fn && this instanceof AbortSignal && !this.aborted) {
      const st = stateOf(this);
      if (!st.all.has(fn)) {
        st.all.add(fn);
        if (typeof opts === 'object' && opts?.once) st.once.add(fn);
        live++;
        added++;
      }
    }
    return add.call(this, type, fn, opts);
  };
  proto.removeEventListener = function (type, fn, opts) {
    if (type === 'abort' && fn && this instanceof AbortSignal) {
      const st = perSignal.get(this);
      if (st?.all.has(fn)) {
        st.all.delete(fn);
        st.once.delete(fn);
        live--;
      }
    }
    return remove.call(this, type, fn, opts);
  };
  const warnings = [];
  process.on('warning', (w) =>
    warnings.push(`${w.name}: ${w.message} ${(w.stack ?? '').split('\n').slice(1, 6).join(' <')}`),
  );
  const t0 = Date.now();
  const sample = () => {
    const m = process.memoryUsage();
    appendFileSync(
      out,
      `${JSON.stringify({
        t: (Date.now() - t0) / 1000,
        rss: m.rss,
        heapUsed: m.heapUsed,
        abortListeners: live,
        abortListenersAdded: added,
        activeResources: process.getActiveResourcesInfo().length,
        warnings: warnings.splice(0),
      })}\n`,
    );
  };
  setInterval(sample, every).unref();
  setTimeout(sample, 200).unref();
}
