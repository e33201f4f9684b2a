/**
 * The worker's Temporal SDK metrics (the Core runtime's own Prometheus exporter: workflow and
 * activity task latencies, schedule-to-start, slots in use, sticky cache, polls…) at
 * `http://<RCM_WORKER_METRICS_ADDRESS>/metrics`. The runtime is process-wide and installed once,
 * before the first connection: every entry point that runs a worker calls this first.
 */
import { DefaultLogger, Runtime, type LogLevel, type RuntimeOptions } from '@temporalio/worker';

export function workerRuntimeOptions(metricsAddress: string | undefined, logLevel?: LogLevel): RuntimeOptions {
  return {
    ...(logLevel ? { logger: new DefaultLogger(logLevel) } : {}),
    ...(metricsAddress
      ? { telemetryOptions: { metrics: { metricPrefix: 'temporal_', prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true, useSecondsForDurations: true, unitSuffix: true } } } }
      : {}),
  };
}

/** Install the runtime with the Prometheus exporter when `metricsAddress` (host:port) is set. */
export function installWorkerRuntime(metricsAddress: string | undefined, logLevel?: LogLevel): void {
  Runtime.install(workerRuntimeOptions(metricsAddress, logLevel));
}
