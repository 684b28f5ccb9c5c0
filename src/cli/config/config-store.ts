import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IdylError } from '../../api/errors.js';

/** One saved CLI selection: where to connect, as whom, and the defaults for commands. */
export interface StoredContext {
  readonly realm: string;
  readonly token?: string;
  readonly accountId?: string;
  /** Namespace for workload commands; `default` when absent. */
  readonly namespace?: string;
  /** Subnet slug or bound name for commands that need one. */
  readonly subnet?: string;
  readonly tls?: {
    /** PEM file of the CA that signed the server certificate. */
    readonly caFile?: string;
    /** Pinned SHA-256 fingerprint of the server certificate. */
    readonly fingerprint?: string;
  };
  /** Plain http:// to a host that is not loopback was explicitly allowed at login. */
  readonly allowInsecureHttp?: boolean;
}

/** The contents of `<homedir>/config.json`. */
export interface CliConfig {
  readonly currentContext?: string;
  readonly contexts: Readonly<Record<string, StoredContext>>;
}

/** Where the config of `homedir` lives. */
export function configPath(homedir: string): string {
  return join(homedir, 'config.json');
}

/** Reads the config; a missing file is an empty config. A file that is not a config is `validation_failed`. */
export async function loadConfig(homedir: string): Promise<CliConfig> {
  const path = configPath(homedir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { contexts: {} };
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new IdylError('validation_failed', `${path} is not valid JSON: ${(err as Error).message}`, {
      field: path,
      hint: 'fix the file, or move it away and run idyl login again',
    });
  }
  const p = parsed as { currentContext?: unknown; contexts?: unknown };
  if (typeof p !== 'object' || p === null || typeof p.contexts !== 'object' || p.contexts === null || Array.isArray(p.contexts)) {
    throw new IdylError('validation_failed', `${path} has no "contexts" object`, { field: path, hint: 'move it away and run idyl login again' });
  }
  return {
    ...(typeof p.currentContext === 'string' ? { currentContext: p.currentContext } : {}),
    contexts: p.contexts as Record<string, StoredContext>,
  };
}

/**
 * Writes the config atomically: the directory is created with mode 0700 and the file
 * with mode 0600 (it holds tokens), whatever the umask.
 */
export async function saveConfig(homedir: string, config: CliConfig): Promise<void> {
  const created = await mkdir(homedir, { recursive: true, mode: 0o700 });
  if (created !== undefined) await chmod(homedir, 0o700);
  const path = configPath(homedir);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/**
 * Saves (or replaces) the context `name` and, unless `makeCurrent` is false, makes it
 * current. Used by `idyl login` and by commands that set up a local realm (`idyl up`).
 */
export async function saveContext(homedir: string, name: string, context: StoredContext, makeCurrent = true): Promise<void> {
  const config = await loadConfig(homedir);
  await saveConfig(homedir, {
    currentContext: makeCurrent ? name : config.currentContext,
    contexts: { ...config.contexts, [name]: context },
  });
}
