// JSON Schemas for every --json output, generated from the TypeScript types in src/cli/json-types.ts
// (ts-json-schema-generator), written to schemas/ and shipped in the package.
//   node scripts/gen-schemas.mjs          write schemas/*.schema.json
//   node scripts/gen-schemas.mjs --check  exit 1 if a file in schemas/ is not what the types give
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGenerator } from 'ts-json-schema-generator';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'schemas');
const BASE = 'https://github.com/portdoctor/portdoctor/blob/main/schemas/';

/** schema file name → exported type; the names are what test/helpers/json-schema.ts asks for */
export const SCHEMAS = {
  diagnose: ['DiagnoseJson', 'portdoctor diagnose PORT --json'],
  explain: ['ExplainJson', 'portdoctor explain TEXT --json'],
  'fix-plan': ['FixPlanJson', 'portdoctor fix PORT --json'],
  'fix-apply': ['FixApplyJson', 'portdoctor fix PORT --apply --yes --json'],
  'fix-undo': ['FixUndoJson', 'portdoctor fix --undo --json'],
  ports: ['PortsJson', 'portdoctor ports --json'],
  trace: ['TraceJson', 'portdoctor trace PORT --json'],
  'watch-line': ['WatchLineJson', 'one line of portdoctor watch --json (JSON Lines)'],
  lint: ['LintJson', 'portdoctor lint --json'],
  snapshot: ['SnapshotJson', 'portdoctor collect --out FILE (replayed by diagnose --from FILE)'],
  journal: ['JournalJson', 'a fix journal in $PORTDOCTOR_STATE_DIR/journal/ (replayed by fix --undo)'],
};

function generate() {
  const gen = createGenerator({
    path: join(ROOT, 'src/cli/json-types.ts'),
    tsconfig: join(ROOT, 'tsconfig.json'),
    expose: 'export',
    topRef: true,
    jsonDoc: true,
    // outputs are closed: a field added to a type without regenerating fails the "current" test
    additionalProperties: false,
    skipTypeCheck: true,
  });
  const files = new Map();
  for (const [name, [type, what]] of Object.entries(SCHEMAS)) {
    const s = gen.createSchema(type);
    const out = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `${BASE}${name}.schema.json`,
      title: type,
      description: `${what}. Generated from src/cli/json-types.ts by npm run gen:schemas; do not edit.`,
      $ref: s.$ref,
      definitions: s.definitions,
    };
    files.set(`${name}.schema.json`, `${JSON.stringify(out, null, 2)}\n`);
  }
  return files;
}

const check = process.argv.includes('--check');
const files = generate();
if (check) {
  const stale = [];
  for (const [f, text] of files) {
    const p = join(OUT, f);
    if (!existsSync(p) || readFileSync(p, 'utf8') !== text) stale.push(f);
  }
  const extra = existsSync(OUT) ? readdirSync(OUT).filter((f) => f.endsWith('.schema.json') && !files.has(f)) : [];
  if (stale.length || extra.length) {
    process.stderr.write(
      `schemas/ is not current (${[...stale, ...extra.map((f) => `${f} (no type)`)].join(', ')}): run npm run gen:schemas\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`schemas/: ${files.size} schemas current\n`);
} else {
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) if (f.endsWith('.schema.json') && !files.has(f)) rmSync(join(OUT, f));
  for (const [f, text] of files) writeFileSync(join(OUT, f), text);
  process.stdout.write(`schemas/: wrote ${files.size} schemas\n`);
}
