/**
 * The worker's Temporal SDK metrics (the Core runtime's own Prometheus exporter: workflow and
 * activity task latencies, schedule-to-start, slots in use, sticky cache, polls…) at
 * `http://<RCM_WORKER_METRICS_ADDRESS>/metrics`. The runtime is process-wide and installed once,
 * before the first connection: every entry point that runs a worker calls this first.
 */
import { DefaultLogger, Runtime, type LogLevel, type RuntimeOptions } from '@temporalio/worker';

/**
 * Buckets of the product histograms activities observe (activities/metrics.ts): the SDK's default
 * buckets stop at 10 s, and a posting lag is minutes to days (POST rules count business days).
 */
export const PRODUCT_HISTOGRAM_BUCKETS: Record<string, number[]> = {
  rcm_posting_lag: [1, 10, 60, 300, 900, 3600, 4 * 3600, 8 * 3600, 86_400, 2 * 86_400, 3 * 86_400, 5 * 86_400, 10 * 86_400],
};

export function workerRuntimeOptions(metricsAddress: string | undefined, logLevel?: LogLevel): RuntimeOptions {
  return {
    ...(logLevel ? { logger: new DefaultLogger(logLevel) } : {}),
    ...(metricsAddress
      ? { telemetryOptions: { metrics: { metricPrefix: 'temporal_', prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true, useSecondsForDurations: true, unitSuffix: true, histogramBucketOverrides: PRODUCT_HISTOGRAM_BUCKETS } } } }
      : {}),
  };
}

/** Install the runtime with the Prometheus exporter when `metricsAddress` (host:port) is set. */
export function installWorkerRuntime(metricsAddress: string | undefined, logLevel?: LogLevel): void {
  Runtime.install(workerRuntimeOptions(metricsAddress, logLevel));
}
