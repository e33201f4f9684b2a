/**
 * Entry point of the `rcm` command (bin/rcm.cjs loads this file through tsx). Register each
 * subcommand here; the dispatcher is cli/main.ts.
 */
import { EXIT_INTERNAL, registerCommand, runCli } from './main';
import { scrubCommand } from './scrub';
import { eraCommand } from './era';
import { usersCommand } from './users';
import { importCommand } from './import';

registerCommand(scrubCommand);
registerCommand(eraCommand);
registerCommand(usersCommand);
registerCommand(importCommand);
// Further subcommands plug in here.

// `rcm scrub … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`rcm: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT_INTERNAL;
  },
);
