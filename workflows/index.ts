// The single workflowsPath of the worker: one workflow per file, re-exported here.
export { claimWorkflow } from './claim';
export { providerCredentialWorkflow } from './credential';
