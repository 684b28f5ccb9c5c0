import { CommanderError, type Command } from 'commander';
import { IdylError } from '../api/errors.js';
import { CliError, usageError } from './cli-error.js';
import { App } from './app.js';
import { outputOf } from './config/settings.js';
import { processIo, type CliIo } from './io.js';
import { renderError, toReported } from './output/render-error.js';
import { writeOutput } from './output/writer.js';
import { buildProgram } from './program.js';

/** Commander's own exits that are not failures. */
const CLEAN_EXITS = new Set(['commander.helpDisplayed', 'commander.version']);

/** `-o FORMAT` as written on the command line, read before parsing so that usage errors obey it. */
function sniffOutput(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (a === '-o' || a === '--output') found = argv[i + 1];
    else if (a.startsWith('--output=')) found = a.slice('--output='.length);
    else if (a.startsWith('-o') && a.length > 2 && !a.startsWith('--')) found = a.slice(2);
  }
  return found;
}

/**
 * Runs one `idyl` command line (without the program name) and returns its exit code:
 * 0 success, 1 a refused or failed operation, 2 a usage error, 130 interrupted. It
 * never calls `process.exit`; `bin/idyl` sets the exit code. `io` defaults to the
 * process's streams (tests pass buffers).
 */
export async function run(argv: string[], io?: CliIo): Promise<number> {
  let cleanup = () => undefined as void;
  if (!io) {
    const ac = new AbortController();
    const onSigint = () => ac.abort(new Error('interrupted'));
    process.once('SIGINT', onSigint);
    // Long-running commands (server, node start) stop gracefully on SIGTERM too.
    process.once('SIGTERM', onSigint);
    cleanup = () => {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigint);
    };
    io = processIo(ac.signal);
  }
  const app = new App(io);
  const sniffed = outputOf({ output: sniffOutput(argv) });
  // With -o json, a command group's help is replaced by one JSON line (below).
  const program = buildProgram(app, { helpOnError: sniffed !== 'json' });
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (app.result) writeOutput(io, app.format ?? 'table', app.result);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError && CLEAN_EXITS.has(err.code)) return 0;
    // `idyl help` asked for help; a command group called without a sub-command printed
    // its help as a usage error (with -o json, that error is the JSON line instead).
    if (err instanceof CommanderError && err.code === 'commander.help' && err.exitCode === 0) return 0;
    const format = app.format ?? sniffed;
    if (err instanceof CommanderError && err.code === 'commander.help' && format !== 'json') return 2;
    const named = namedCommand(program, argv);
    const hint = `idyl ${[...named.words, '--help'].join(' ')}`;
    let cause: unknown = err;
    if (err instanceof CommanderError && err.code === 'commander.help') cause = usageError(subcommandMissing(named), hint);
    else if (err instanceof CommanderError) cause = usageError(err.message.replace(/^error:\s*/, ''), hint);
    // A usage error a handler found gets the command's own help as its hint.
    else if (err instanceof CliError && err.code === 'usage_error' && err.details?.hint === undefined) cause = usageError(err.message, hint);
    // Whatever broke after Ctrl-C broke because of it.
    if (io.signal.aborted && !(cause instanceof CliError)) cause = new CliError('interrupted', 'interrupted');
    const reported = toReported(cause);
    io.stderr.write(renderError(reported, format));
    if (io.debug && reported.code === 'internal' && cause instanceof Error && !(cause instanceof IdylError)) io.stderr.write(`${cause.stack ?? ''}\n`);
    return reported.exitCode;
  } finally {
    app.close();
    cleanup();
  }
}

/** The deepest command that argv names, and the words that name it. */
function namedCommand(program: Command, argv: readonly string[]): { words: string[]; cmd: Command } {
  const words: string[] = [];
  let cmd = program;
  for (const a of argv) {
    if (a === '--') break;
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) continue;
    words.push(sub.name());
    cmd = sub;
  }
  return { words, cmd };
}

/** `idyl subnet admission needs a sub-command: get, grant, revoke, set`. */
function subcommandMissing({ words, cmd }: { words: string[]; cmd: Command }): string {
  const subs = cmd.commands.map((c) => c.name()).filter((n) => n !== 'help').sort();
  return `idyl${words.map((w) => ` ${w}`).join('')} needs a sub-command: ${subs.join(', ')}`;
}
