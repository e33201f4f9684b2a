/**
 * Workflow starts, counted where they happen: a Temporal client interceptor on every client built
 * by createTemporalClient (the API's routes, `POST /api/claims/import`, ingestion, the CLI). One
 * process-wide prom-client counter; the API registers it in its /metrics registry (api/metrics.ts),
 * so the API process's starts are exported (another process's starts, e.g. `rcm import claims`,
 * count in that process only). Labels: the workflow's kind (never its id: ids hold claim numbers).
 */
import { Counter } from 'prom-client';
import type { WorkflowClientInterceptor } from '@temporalio/client';

const KINDS: Record<string, string> = {
  claimWorkflow: 'claim',
  eligibilityWorkflow: 'eligibility',
  priorAuthorizationWorkflow: 'prior_authorization',
  providerCredentialWorkflow: 'credential',
};

/** Registered in no registry by itself (`registers: []`): api/metrics.ts adds it to each app's. */
export const workflowStarts = new Counter({
  name: 'rcm_workflow_starts_total',
  help: 'Workflows started by this process, by kind (claim, eligibility, prior_authorization, credential, …)',
  labelNames: ['kind'],
  registers: [],
});

export const workflowKind = (workflowType: string): string => KINDS[workflowType] ?? workflowType.replace(/Workflow$/, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Counts a start once the server has accepted it (an "already started" refusal is not a start). */
export const countWorkflowStarts: WorkflowClientInterceptor = {
  async start(input, next) {
    const runId = await next(input);
    workflowStarts.inc({ kind: workflowKind(input.workflowType) });
    return runId;
  },
  async signalWithStart(input, next) {
    const runId = await next(input);
    workflowStarts.inc({ kind: workflowKind(input.workflowType) });
    return runId;
  },
};
