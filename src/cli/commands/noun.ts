import type { Command } from 'commander';

/**
 * The command `name` under `parent`, created with `description` if it is not there yet,
 * so that several files can add sub-commands to one noun (e.g. `node get` here and
 * `node join` in the agent's commands).
 */
export function noun(parent: Command, name: string, description: string, aliases: readonly string[] = []): Command {
  const found = parent.commands.find((c) => c.name() === name);
  if (found) return found;
  const cmd = parent.command(name).description(description);
  for (const a of aliases) cmd.alias(a);
  return cmd;
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
