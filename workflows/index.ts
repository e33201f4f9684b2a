// The single workflowsPath of the worker: one workflow per file, exposed here.
//
// Issue 16: each workflow execution evaluates the modules it requires in its own module cache (the
// SDK's reusable V8 context keeps one per workflow). Re-exporting every workflow made each claim
// evaluate the authorization, credential and eligibility code too, and their zod schemas: about
// half of a claim's workflow-thread CPU. Each entry point requires its own file when it first runs.
import type * as Claim from './claim';
import type * as Credential from './credential';
import type * as Authorization from './authorization';
import type * as Eligibility from './eligibility';
import type * as Reconciliation from './reconciliation';

export function claimWorkflow(...args: Parameters<typeof Claim.claimWorkflow>): ReturnType<typeof Claim.claimWorkflow> {
  return (require('./claim') as typeof Claim).claimWorkflow(...args);
}
export function providerCredentialWorkflow(...args: Parameters<typeof Credential.providerCredentialWorkflow>): ReturnType<typeof Credential.providerCredentialWorkflow> {
  return (require('./credential') as typeof Credential).providerCredentialWorkflow(...args);
}
export function priorAuthorizationWorkflow(...args: Parameters<typeof Authorization.priorAuthorizationWorkflow>): ReturnType<typeof Authorization.priorAuthorizationWorkflow> {
  return (require('./authorization') as typeof Authorization).priorAuthorizationWorkflow(...args);
}
export function eligibilityWorkflow(...args: Parameters<typeof Eligibility.eligibilityWorkflow>): ReturnType<typeof Eligibility.eligibilityWorkflow> {
  return (require('./eligibility') as typeof Eligibility).eligibilityWorkflow(...args);
}
export function dailyReconciliationWorkflow(...args: Parameters<typeof Reconciliation.dailyReconciliationWorkflow>): ReturnType<typeof Reconciliation.dailyReconciliationWorkflow> {
  return (require('./reconciliation') as typeof Reconciliation).dailyReconciliationWorkflow(...args);
}
