// The Compose schema check: the generated validator matches the schema it came from, and its
// errors land on the line that is wrong, in words (the oracle test checks agreement with Compose).
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { schemaViolations } from '../../../src/compose/validate.js';
// @ts-expect-error: a plain .mjs script without types
import { generate } from '../../../scripts/gen-compose-validator.mjs';

describe('the Compose schema check', () => {
  it('the generated validator is up to date (node scripts/gen-compose-validator.mjs)', () => {
    const current = readFileSync(
      new URL('../../../src/compose/schema/validate-compose-spec.js', import.meta.url),
      'utf8',
    );
    expect((generate as () => string)() === current).toBe(true);
  });
  it('says where and what, and lets ${VAR} stand where a number belongs (Compose casts it)', () => {
    const v = (t: string) => schemaViolations(parseDocument(t)).map((x) => [x.path, x.message, x.node?.range?.[0]]);
    const t1 = 'services:\n  web:\n    image: nginx\n    prots: ["80:80"]\n';
    expect(v(t1)).toEqual([['services.web', '"prots" is not a Compose key here', t1.indexOf('prots')]]);
    expect(v('services:\n  web:\n    image: nginx\n    ports: 8080\n')[0]?.slice(0, 2)).toEqual([
      'services.web.ports',
      'must be array',
    ]);
    expect(v('services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${N}\n')).toEqual([]);
    expect(v('x-any: {a: 1}\nservices:\n  web:\n    image: nginx\n    x-mine: 1\n')).toEqual([]);
  });
});
