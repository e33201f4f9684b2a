/**
 * Writes the published JSON Schemas generated from zod (schemas/*.schema.json).
 * Usage: npx tsx scripts/gen-schemas.ts [--check]   (--check: exit 1 if a file is stale)
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedSchemaFiles } from '../domain/scrub/json-schema';

const root = join(__dirname, '..');
const check = process.argv.includes('--check');
let stale = 0;
for (const [relative, content] of Object.entries(generatedSchemaFiles())) {
  const file = join(root, relative);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === content) continue;
  if (check) {
    stale++;
    console.error(`${relative} is stale; run: npx tsx scripts/gen-schemas.ts`);
    continue;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`wrote ${relative}`);
}
if (stale > 0) process.exit(1);
