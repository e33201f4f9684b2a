// The single workflowsPath of the worker: one workflow per file, re-exported here.
export { claimWorkflow } from './claim';
export { providerCredentialWorkflow } from './credential';
export { priorAuthorizationWorkflow } from './authorization';
export { eligibilityWorkflow } from './eligibility';
export { dailyReconciliationWorkflow } from './reconciliation';
