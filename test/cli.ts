/** Run the `rcm` dispatcher in-process with captured stdout and stderr (CLI integration tests). */
import { PassThrough } from 'node:stream';
import { runCli, type CliIo } from '../cli/main';

export async function runCliCaptured(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough();
  out.on('data', (d) => (stdout += d));
  const err = new PassThrough();
  err.on('data', (d) => (stderr += d));
  const io: CliIo = { stdin: new PassThrough(), stdout: out, stderr: err, cwd };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
