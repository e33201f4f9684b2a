/**
 * Arrows that point one way (CONVENTIONS.md): the API is a client of Temporal and PostgreSQL, not
 * of activity or worker code; the read model (db/) and the contracts do not reach into activities;
 * the domain is pure. Ingestion and the payload codec live where both the API and the workers can
 * import them (ingest/, lib/codec*). A new import against an arrow fails here with the file and line.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(ROOT, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|js)$/.test(name) && !/\.test\.ts$/.test(name)) out.push(rel);
  }
  return out;
}

type Import = { file: string; line: number; target: string; typeOnly: boolean };

/** Project-relative targets of every import/export-from in a file (npm packages are skipped). */
export function importsOf(file: string, text = readFileSync(path.join(ROOT, file), 'utf8')): Import[] {
  const found: Import[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[3]));
    found.push({ file, line: text.slice(0, m.index).split('\n').length, target, typeOnly: Boolean(m[2]) });
  }
  return found;
}

const top = (target: string) => target.split(path.sep)[0];

/** Which top-level folders each layer may not import (type-only imports included unless `runtimeOnly`). */
const RULES: Array<{ layer: string; forbidden: string[]; runtimeOnly?: boolean; why: string }> = [
  { layer: 'domain', forbidden: ['activities', 'workflows', 'workers', 'api', 'db', 'lib', 'ingest', 'contracts', 'x12'], why: 'the domain is pure rules' },
  { layer: 'contracts', forbidden: ['activities', 'workflows', 'workers', 'api', 'db', 'ingest'], why: 'contracts are what clients import: no activity types' },
  { layer: 'api', forbidden: ['activities', 'workflows', 'workers'], why: 'the API is a client: Temporal, PostgreSQL, ingest/ and lib/' },
  { layer: 'db', forbidden: ['activities', 'workflows', 'workers', 'api'], why: 'the read model does not call activity code' },
  { layer: 'ingest', forbidden: ['activities', 'workflows', 'workers', 'api'], runtimeOnly: true, why: 'ingestion is shared by the API and the gateways (gateway types only)' },
];

describe('import arrows point one way', () => {
  for (const rule of RULES) {
    it(`${rule.layer}/ imports none of ${rule.forbidden.join(', ')} (${rule.why})`, () => {
      const offending = sourceFiles(rule.layer)
        .flatMap((f) => importsOf(f))
        .filter((i) => rule.forbidden.includes(top(i.target)) && !(rule.runtimeOnly && i.typeOnly))
        .map((i) => `${i.file}:${i.line} imports ${i.target}`);
      expect(offending).toEqual([]);
    });
  }

  it('the scanner sees value, type-only and re-export imports, and resolves them from the importing file', () => {
    const text = [
      "import { a } from '../../activities/x';",
      "import type { B } from '../contracts/claim';",
      "export { c } from './local';",
      "import { z } from 'zod';",
    ].join('\n');
    expect(importsOf('api/routes/r.ts', text)).toEqual([
      { file: 'api/routes/r.ts', line: 1, target: path.join('activities', 'x'), typeOnly: false },
      { file: 'api/routes/r.ts', line: 2, target: path.join('api', 'contracts', 'claim'), typeOnly: true },
      { file: 'api/routes/r.ts', line: 3, target: path.join('api', 'routes', 'local'), typeOnly: false },
    ]);
  });
});
