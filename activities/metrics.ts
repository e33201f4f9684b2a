/**
 * Product metrics observed by activities where the event happens, exported by the worker's Core
 * runtime beside the SDK's own (workers/telemetry.ts, RCM_WORKER_METRICS_ADDRESS). Outside an
 * activity (a unit test calling an activity function directly) they are not recorded.
 */
import { Context } from '@temporalio/activity';

function activityMeter() {
  try {
    return Context.current().metricMeter;
  } catch {
    return undefined; // not in an activity
  }
}

/** Posting lag: from the ERA's receipt (the remittance's received_at) to the payment posted on the claim, in seconds. */
export function observePostingLag(receivedAt: string, postedAt: string): void {
  const seconds = (Date.parse(postedAt) - Date.parse(receivedAt)) / 1000;
  if (!Number.isFinite(seconds)) return;
  activityMeter()
    ?.createHistogram('rcm_posting_lag', 'float', 'seconds', 'Posting lag: ERA received to payment posted on the claim, seconds')
    .record(Math.max(0, seconds));
}
