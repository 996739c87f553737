// Is this a file `docker compose config` accepts? Compose validates every file against the Compose
// Specification's JSON Schema (the copy in ./schema is the one Compose 2.40.3 embeds) and refuses the
// project on any violation: an unknown key, a list where a mapping belongs, a port that is not a
// port. Ajv's code, generated from that schema, does the validation (hand-written checks would drift
// from the schema); this module only maps its errors to a line of the file and a sentence.
import type { ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, type Document, type Node } from 'yaml';
// compiled ahead of time by scripts/gen-compose-validator.mjs: Ajv takes ~1.5 s to compile the schema
import { validate } from './schema/validate-compose-spec.js';

export interface SchemaViolation {
  /** dotted path as Compose prints it: services.web.ports */
  readonly path: string;
  readonly message: string;
  /** the YAML node the violation is about, for its position */
  readonly node: Node | null;
}

function pointer(p: string): string[] {
  return p
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function nodeAt(doc: Document, path: readonly string[], key?: string): Node | null {
  const parent = (path.length ? doc.getIn(path, true) : doc.contents) as Node | null;
  if (key !== undefined && isMap(parent)) {
    for (const pair of parent.items)
      if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key) return pair.key;
  }
  return parent ?? null;
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let v = data;
  for (const s of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

function sentence(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `"${String(e.params.additionalProperty)}" is not a Compose key here`;
    case 'type':
      return `must be ${String(e.params.type).replace(/,/g, ' or ')}`;
    case 'required':
      return `needs "${String(e.params.missingProperty)}"`;
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
    default:
      return e.message ?? e.keyword;
  }
}

/** Violations of the Compose schema in one file's document, deepest first, one per place. */
export function schemaViolations(doc: Document): SchemaViolation[] {
  const data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (validate(data)) return [];
  const out: SchemaViolation[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    // oneOf/anyOf wrap the real reasons, which Ajv reports too
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
    const path = pointer(e.instancePath);
    const v = valueAt(data, path);
    // "${VAR}" where a number or boolean belongs: Compose casts after interpolation
    if (e.keyword === 'type' && typeof v === 'string' && v.includes('$')) continue;
    // `!reset null` removes what earlier files defined; Compose drops it before it validates
    if ((nodeAt(doc, path) as { tag?: string } | null)?.tag === '!reset') continue;
    const key = e.keyword === 'additionalProperties' ? String(e.params.additionalProperty) : undefined;
    const at = path.join('.') + (key ? `.${key}` : '');
    if (seen.has(at)) continue;
    seen.add(at);
    out.push({ path: path.join('.') || '(top level)', message: sentence(e), node: nodeAt(doc, path, key) });
  }
  return out;
}
