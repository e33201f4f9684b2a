/**
 * The `rcm` command dispatcher: a registry of subcommands, `--help`, and the rule that a CLI
 * failure is a message and an exit code, never a stack trace. Subcommands register themselves
 * with `registerCommand` (see cli/rcm.ts); `rcm era` and friends plug in the same way.
 */
import type { Readable, Writable } from 'node:stream';

/** Where a command reads and writes; tests pass in-memory streams. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean; columns?: number };
  /** Current directory for relative paths. */
  cwd: string;
}

export interface Command {
  name: string;
  /** One line for `rcm --help`. */
  summary: string;
  /** Full usage text for `rcm <name> --help`. */
  usage: string;
  /** Returns the exit code. Throw CliError for a user-facing failure. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A failure the user can act on: printed as `rcm <command>: message`, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const EXIT_OK = 0;
/** Some case has blocking findings (scrub) or the command found a problem in the data. */
export const EXIT_FINDINGS = 1;
/** Unreadable or invalid input, bad usage. */
export const EXIT_USAGE = 2;
/** A bug: unexpected internal failure. */
export const EXIT_INTERNAL = 3;

const commands = new Map<string, Command>();

export function registerCommand(command: Command): void {
  if (commands.has(command.name)) throw new Error(`command '${command.name}' is already registered`);
  commands.set(command.name, command);
}

export function registeredCommands(): Command[] {
  return [...commands.values()];
}

export function usage(): string {
  const width = Math.max(8, ...registeredCommands().map((c) => c.name.length));
  const lines = registeredCommands().map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: rcm <command> [options]',
    '',
    'Revenue-cycle tools for interventional pain practices.',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `rcm <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
}

/** Run `rcm` with `argv` (without node and script). Resolves to the exit code; never rejects. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(usage());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const sub = name === 'help' ? rest[0] : undefined;
    const command = sub ? commands.get(sub) : undefined;
    io.stdout.write(command ? command.usage : usage());
    return EXIT_OK;
  }
  const command = commands.get(name);
  if (!command) {
    io.stderr.write(`rcm: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`rcm ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    const reason = err instanceof Error ? err.message : String(err);
    io.stderr.write(`rcm ${name}: internal error: ${reason}\n`);
    return EXIT_INTERNAL;
  }
}
