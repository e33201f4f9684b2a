/**
 * Child process of `bundleWorkflowsInChildProcess()` (workers/worker.ts): bundles the workflow
 * code and writes it to the path given as the first argument, then exits, taking webpack's memory
 * with it.
 */
import { writeFileSync } from 'node:fs';
import { bundleWorkflows } from './worker';

const out = process.argv[2];
if (!out) {
  process.stderr.write('bundle-child: expected the output path as the first argument\n');
  process.exit(2);
}
bundleWorkflows().then(
  (bundle) => {
    writeFileSync(out, bundle.code);
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`bundling the workflow code failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
