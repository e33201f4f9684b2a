/**
 * Activities are built by a factory from injected dependencies (database, payer gateway), so
 * tests and `npm start` wire real components the same way. Workflows type their proxies with
 * `ReturnType<typeof createActivities>`.
 */
import type { Knex } from 'knex';
import { claimActivities } from './claims';
import { submissionActivities } from './submission';
import { postingActivities } from './posting';
import { workItemActivities } from './work-items';
import { credentialActivities } from './credentials';
import { reconciliationActivities } from './reconciliation';
import { ruleActivities } from './rules';
import { deadlineActivities } from './deadlines';
import type { PayerGateway } from './gateway/types';
import { eligibilityAuthActivities } from './eligibility-auth';
import type { EligibilityAuthGateway } from './gateway/eligibility-auth';

export type ActivityDeps = { db: Knex; gateway: PayerGateway; eligibilityAuthGateway?: EligibilityAuthGateway };

export function createActivities(deps: ActivityDeps) {
  return {
    ...claimActivities(deps.db),
    ...submissionActivities(deps.db, deps.gateway),
    ...postingActivities(deps.db),
    ...workItemActivities(deps.db),
    // Other workflows' activities are spread in below, one line each.
    ...eligibilityAuthActivities(deps.db, deps.eligibilityAuthGateway),
    ...credentialActivities(deps.db),
    ...reconciliationActivities(deps.db),
    ...ruleActivities(),
    ...deadlineActivities(deps.db),
  };
}
