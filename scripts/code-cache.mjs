// Write FILE.cache: the V8 code cache of a CommonJS bundle, compiled the way src/cli/fast-load.ts
// compiles it (the same wrapper and file name), after its top level has run.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import vm from 'node:vm';

const file = resolve(process.argv[2]);
const script = new vm.Script(`(function (exports, require, module) {${readFileSync(file, 'utf8')}\n})`, {
  filename: file,
});
const m = { exports: {} };
script.runInThisContext()(m.exports, createRequire(file), m);
writeFileSync(`${file}.cache`, script.createCachedData());
