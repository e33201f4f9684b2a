/**
 * Replays every recorded history in test/histories/*.json against the current workflow code
 * (workflows/index.ts, bundled as the worker bundles it) with the fixture key's data converter.
 * A DeterminismViolationError means a change to a deployed workflow's logic was made without
 * `patched('<id>')`: put the change behind `patched()`; do NOT re-record to make this pass
 * (test/histories/README.md). Re-record with `npx tsx scripts/record-histories.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow'; // the class the replayer throws (instanceof by symbol)
import { workflowBundle } from '../test/harness';
import { bundleWorkflowsInChildProcess } from '../workers/worker';
import { dataConverter } from '../lib/codec-converter';
import { parseEncryptionKeys } from '../lib/config';
import { FIXTURE_ENCRYPTION_KEYS, historyFromJson, type History } from '../test/histories/support';

const HISTORIES = path.resolve(__dirname, '../test/histories');
const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json')).sort();

function load(file: string): { workflowId: string; workflowType: string; history: History } {
  const json = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8'));
  const history = historyFromJson(json);
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error(`${file}: the first event is not WorkflowExecutionStarted`);
  return { workflowId: started.workflowId || path.basename(file, '.json'), workflowType: started.workflowType?.name ?? '?', history };
}

const converter = dataConverter(parseEncryptionKeys(FIXTURE_ENCRYPTION_KEYS));
let bundle: WorkflowBundle;
beforeAll(async () => {
  bundle = await workflowBundle();
});

describe('recorded workflow histories replay against the current workflow code', () => {
  it('there are recorded histories to replay (test/histories/*.json)', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s replays without a determinism violation', async (file) => {
    const { workflowId, workflowType, history } = load(file);
    try {
      await Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: converter, replayName: `replay-${file}` }, history, workflowId);
    } catch (err) {
      const kind = err instanceof DeterminismViolationError ? 'DeterminismViolationError' : (err as Error).name;
      throw new Error(
        `${kind} replaying ${workflowType} ${workflowId} (test/histories/${file}): ${(err as Error).message}\n` +
          'A change to deployed workflow logic must go behind patched(); do not re-record to make this pass (test/histories/README.md).',
        { cause: err },
      );
    }
  });

  it('the bundle long-running workers build in a child process (npm run worker, npm start) replays a recorded claim', async () => {
    const file = files.find((f) => f.startsWith('claim-clean-closed-db-local'));
    expect(file, 'a recorded clean claim with batched writes').toBeDefined();
    const { workflowId, history } = load(file!);
    const childBundle = await bundleWorkflowsInChildProcess();
    expect(childBundle.code).toContain('claimWorkflow');
    await Worker.runReplayHistory({ workflowBundle: childBundle, dataConverter: converter, replayName: 'replay-child-bundle' }, history, workflowId);
  });

  it('negative check: an incompatible claimWorkflow (different first command) fails replay with a DeterminismViolationError', async () => {
    const file = files.find((f) => f.startsWith('claim-'));
    expect(file, 'a recorded claim history').toBeDefined();
    const { workflowId, history } = load(file!);
    const changed = await bundleWorkflowCode({
      workflowsPath: path.join(HISTORIES, 'changed-workflow.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const err = await Worker.runReplayHistory({ workflowBundle: changed, dataConverter: converter, replayName: 'replay-changed' }, history, workflowId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, `replaying ${workflowId} against test/histories/changed-workflow.ts should have failed`).toBeInstanceOf(DeterminismViolationError);
  });

  it('negative check: with another encryption key a recorded history cannot be replayed (re-record if the fixture key changes)', async () => {
    const { workflowId, history } = load(files.find((f) => f.startsWith('claim-'))!);
    const otherKey = dataConverter(parseEncryptionKeys(`other-1:${Buffer.alloc(32, 7).toString('base64')}`));
    await expect(Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: otherKey, replayName: 'replay-other-key' }, history, workflowId)).rejects.toThrow(/no decryption key with id \W*fixture-1/);
  });
});
