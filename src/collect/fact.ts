import type { Fact, FactErrorCode } from '../model.js';

export function ok<T>(value: T, source: string, notes?: readonly string[]): Fact<T> {
  return notes && notes.length ? { ok: true, value, source, notes } : { ok: true, value, source };
}

export function fail<T>(code: FactErrorCode, message: string, source: string): Fact<T> {
  return { ok: false, error: { code, message }, source };
}

/** errno → our error vocabulary */
export function errnoCode(e: unknown): FactErrorCode {
  const c = (e as NodeJS.ErrnoException | null)?.code;
  if (c === 'EACCES' || c === 'EPERM') return 'denied';
  if (c === 'ENOENT' || c === 'ECONNREFUSED' || c === 'ENOTDIR') return 'absent';
  if (c === 'ETIMEDOUT') return 'timeout';
  return 'failed';
}
