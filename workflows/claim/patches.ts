/**
 * Which patched branches a claim takes. A claim started since 'claim-steps-merged' (workflows/claim.ts)
 * takes every patch of the claim code that came before it (IMPLIED below) without recording a marker
 * for each: the worker that started it already ran all of those branches, so the one marker decided
 * at its start stands for them all (what the SDK's `patched()` answers a new workflow). That saves two
 * history events per patch (its marker and the `TemporalChangeVersion` upsert), and none of them is
 * decided after a local activity any more (the replay hazard noted in workflows/claim.ts). Claims
 * started before it ask the SDK as they always did, so their histories replay unchanged.
 *
 * A patch added later is NOT implied (a claim started before it must replay the old branch): it is not
 * in IMPLIED, so this asks the SDK for it. Never add a later patch to IMPLIED.
 */
import * as wf from '@temporalio/workflow';
import { claimStepsMerged } from './activities';

/** Patch ids of later steps decided at the start of a claim batched since 'claim-db-local' but started before 'claim-steps-merged' (see claimWorkflow). */
export const PATCHES_DECIDED_AT_START = [
  'deadlines-in-practice-zone',
  'hold-once',
  'close-refused-while-sending',
  'sub4-until-accepted',
  'ar-plan-recorded',
  'payment-rules-recorded',
  'line-denials-worked',
  'park-after-close',
] as const;

/** The claim patches that existed when 'claim-steps-merged' was introduced (2026-12-02). Frozen. */
const IMPLIED: ReadonlySet<string> = new Set([
  ...PATCHES_DECIDED_AT_START,
  'appeal-follow-up',
  'claim-continue-as-new',
  'clp02-23-25',
  'correction-after-payment',
  'crossover-19',
  'partial-write-off',
  'reversal-follow-up',
  'secondary-denial-worked',
  'secondary-follow-up',
  'secondary-rejection',
  'secondary-send-failure',
  'send-failure-business-only',
  'work-item-once',
]);

export function patched(patchId: string): boolean {
  return (claimStepsMerged() && IMPLIED.has(patchId)) || wf.patched(patchId);
}
