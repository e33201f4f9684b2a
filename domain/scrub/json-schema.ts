/**
 * The published JSON Schema of a scrub case (schemas/scrub-case.schema.json), generated from the
 * zod schema so the two never drift. `scripts/gen-schemas.ts` writes it; a unit test fails when
 * the committed file is stale.
 */
import { z } from 'zod';
import { ScrubCase, ScrubResult } from './schemas';

export const SCRUB_CASE_SCHEMA_PATH = 'schemas/scrub-case.schema.json';
export const SCRUB_RESULT_SCHEMA_PATH = 'schemas/scrub-result.schema.json';

function withHeader(schema: Record<string, unknown>, id: string, title: string, description: string) {
  const { $schema, ...rest } = schema;
  return { $schema, $id: id, title, description, ...rest };
}

/** JSON Schema (draft 2020-12) of what `rcm scrub` and `scrubCase` accept: `{ claim, context? }`. */
export function scrubCaseJsonSchema(): Record<string, unknown> {
  return withHeader(
    z.toJSONSchema(ScrubCase, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>,
    'https://rcm-pain.local/schemas/scrub-case.schema.json',
    'Scrub case',
    'A claim document (X12 837P in JSON) and an optional scrub context. Generated from domain/scrub/schemas.ts; do not edit by hand (npx tsx scripts/gen-schemas.ts).',
  );
}

/** JSON Schema of one scrub result: `{ claimId, status, findings }`. */
export function scrubResultJsonSchema(): Record<string, unknown> {
  return withHeader(
    z.toJSONSchema(ScrubResult, { io: 'output', target: 'draft-2020-12' }) as Record<string, unknown>,
    'https://rcm-pain.local/schemas/scrub-result.schema.json',
    'Scrub result',
    'The result of scrubbing one claim. Generated from domain/scrub/schemas.ts; do not edit by hand (npx tsx scripts/gen-schemas.ts).',
  );
}

/** Every generated schema file: repository-relative path → file content. */
export function generatedSchemaFiles(): Record<string, string> {
  return {
    [SCRUB_CASE_SCHEMA_PATH]: `${JSON.stringify(scrubCaseJsonSchema(), null, 2)}\n`,
    [SCRUB_RESULT_SCHEMA_PATH]: `${JSON.stringify(scrubResultJsonSchema(), null, 2)}\n`,
  };
}
