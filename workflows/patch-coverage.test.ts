/**
 * Every patched() branch of the workflow code is replayed in CI (issue 11): each patch id in
 * workflows/*.ts appears as a patch marker in at least one recorded history under test/histories/,
 * which workflows/replay.int.test.ts replays. A new patch without a recording fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const WORKFLOWS = __dirname;
const HISTORIES = path.resolve(__dirname, '../test/histories');

/** Patches whose branch no scenario of scripts/record-histories.ts reaches yet; shrink this list, never grow it silently. */
const NOT_YET_RECORDED = new Set<string>([]);

function patchIdsInCode(): Set<string> {
  const ids = new Set<string>();
  // Workflow code lives in workflows/*.ts and its modules in subfolders (workflows/claim/…).
  for (const file of (readdirSync(WORKFLOWS, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    for (const m of readFileSync(path.join(WORKFLOWS, file), 'utf8').matchAll(/\bpatched\(\s*'([^']+)'\s*\)/g)) ids.add(m[1]);
  }
  return ids;
}

function patchIdsRecorded(): Map<string, string[]> {
  const byId = new Map<string, string[]>();
  for (const file of readdirSync(HISTORIES).filter((f) => f.endsWith('.json'))) {
    const history = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')) as { events: Array<{ markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: Array<{ data?: string }> }> } }> };
    for (const e of history.events) {
      if (e.markerRecordedEventAttributes?.markerName !== 'core_patch') continue; // local activity results are markers too
      for (const detail of Object.values(e.markerRecordedEventAttributes?.details ?? {})) {
        for (const p of detail.payloads ?? []) {
          const id = (JSON.parse(Buffer.from(p.data ?? '', 'base64').toString('utf8')) as { id?: string }).id;
          if (id) byId.set(id, [...(byId.get(id) ?? []), file]);
        }
      }
    }
  }
  return byId;
}

describe('patch markers are replayed', () => {
  const inCode = patchIdsInCode();
  const recorded = patchIdsRecorded();

  it('the workflow code has patches and the recordings hold patch markers', () => {
    expect(inCode.size).toBeGreaterThanOrEqual(10);
    expect(recorded.size).toBeGreaterThanOrEqual(9);
  });

  it.each([...inCode].filter((id) => !NOT_YET_RECORDED.has(id)).sort())('patched(%s) is replayed by a recorded history', (id) => {
    expect(recorded.get(id), `no history in test/histories passes through patched('${id}'): add a scenario to scripts/record-histories.ts`).toBeDefined();
  });

  it('the not-yet-recorded list names only patches that exist and are still unrecorded', () => {
    for (const id of NOT_YET_RECORDED) {
      expect(inCode.has(id), `${id} is no longer in the code: remove it from NOT_YET_RECORDED`).toBe(true);
      expect(recorded.has(id), `${id} is recorded now: remove it from NOT_YET_RECORDED`).toBe(false);
    }
  });
});
