import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedSchemaFiles, scrubCaseJsonSchema } from './json-schema';

const root = join(__dirname, '..', '..');

describe('published JSON Schemas', () => {
  for (const [relative, content] of Object.entries(generatedSchemaFiles())) {
    it(`${relative} is up to date with the zod schema (run: npx tsx scripts/gen-schemas.ts)`, () => {
      expect(readFileSync(join(root, relative), 'utf8')).toBe(content);
    });
  }
  it('the scrub case schema requires a claim and describes the context fields', () => {
    const schema = scrubCaseJsonSchema() as { required: string[]; properties: { context: { properties: Record<string, unknown> } } };
    expect(schema.required).toEqual(['claim']);
    expect(Object.keys(schema.properties.context.properties).sort()).toEqual(
      ['asOf', 'authorization', 'feeSchedule', 'payerPolicy', 'priorProcedures', 'providerEnrollment'].sort(),
    );
  });
});
