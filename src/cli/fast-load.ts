// Load diagnose's command module: from dist/diagnose.cjs with the V8 code cache the build made for it
// (scripts/code-cache.mjs), or, where there is none (tests from source, a cache another node made),
// the ES module. By hand because Node 20 has no module.enableCompileCache and a package that writes
// caches at run time (v8-compile-cache) would have a root-run tool write into /tmp.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { trace } from '../util/trace.js';
import type * as DiagnoseCommand from './commands/diagnose.js';

type DiagnoseModule = typeof DiagnoseCommand;

export async function loadDiagnose(moduleUrl: string | undefined): Promise<DiagnoseModule> {
  // the single executable is one CommonJS bundle already: no import.meta.url there
  const file = typeof moduleUrl === 'string' ? join(dirname(fileURLToPath(moduleUrl)), 'diagnose.cjs') : null;
  if (file && existsSync(file)) {
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(`${file}.cache`);
    } catch {
      /* no cache: compiled as usual */
    }
    const script = new vm.Script(`(function (exports, require, module) {${readFileSync(file, 'utf8')}\n})`, {
      filename: file,
      ...(cachedData ? { cachedData } : {}),
    });
    trace(
      `diagnose.cjs compiled (code cache ${cachedData ? (script.cachedDataRejected ? 'rejected' : 'used') : 'absent'})`,
    );
    const m = { exports: {} as DiagnoseModule };
    (script.runInThisContext() as (e: object, r: NodeRequire, m: object) => void)(m.exports, createRequire(file), m);
    return m.exports;
  }
  return import('./commands/diagnose.js');
}
