import { Command, Option } from 'commander';
import type { App } from './app.js';
import { COMMANDS } from './commands/index.js';
import { OUTPUT_FORMATS } from './config/settings.js';
import { parseAccountFlag, parseNamespaceFlag } from './flags/global-flags.js';

/**
 * The `idyl` command tree: the global flags every command inherits, then each noun's
 * commands from the registry. A fresh tree per invocation (commander keeps parse state).
 * `helpOnError: false` keeps the help of a command group called without a sub-command
 * off stderr (`-o json` reports it as one usage error instead).
 */
export function buildProgram(app: App, options: { helpOnError?: boolean } = {}): Command {
  const helpOnError = options.helpOnError ?? true;
  const program = new Command('idyl')
    .description('idyl: place workloads only where builder, operator and provider agree on the isolation boundary')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => app.io.stdout.write(s),
      // Only a command group called without a sub-command writes its help here.
      writeErr: (s) => (helpOnError ? app.io.stderr.write(s) : true),
      // Errors are rendered by main() in the chosen format.
      outputError: () => undefined,
    })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: true })
    .showSuggestionAfterError(true)
    .option('--homedir <dir>', 'config and contexts directory (default: ~/.idyl)')
    .option('-c, --context <name>', 'use this saved context instead of the current one')
    .option('--realm <url>', 'control plane address (overrides the context)')
    .option('-a, --account-id <id>', 'account to act in (overrides the context)', parseAccountFlag)
    .option('-n, --namespace <name>', 'namespace for workloads (overrides the context)', parseNamespaceFlag)
    .option('--subnet <subnet>', 'subnet slug or bound name (overrides the context)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'));
  for (const register of COMMANDS) register(program, app);
  return program;
}
