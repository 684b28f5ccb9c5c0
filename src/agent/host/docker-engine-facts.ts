import { request } from 'node:http';
import type { DaemonAnswer, DockerFacts } from './host-view.js';

/**
 * Asks the live Docker Engine at `socket` for `GET /version` and `GET /info` over raw
 * HTTP (no client library): its version, the runtimes the running daemon lists, and
 * its default runtime. Never reads daemon.json (field case 13). Any failure, including
 * a daemon that does not answer within `timeoutMs`, is an `error` in words.
 */
export async function askDockerEngine(socket: string, timeoutMs: number): Promise<DaemonAnswer<DockerFacts>> {
  try {
    const version = await getJson(socket, '/version', timeoutMs);
    const info = await getJson(socket, '/info', timeoutMs);
    const runtimes = isRecord(info.Runtimes) ? Object.keys(info.Runtimes).sort() : [];
    return {
      ok: true,
      facts: {
        socket,
        version: typeof version.Version === 'string' ? version.Version : 'unknown',
        runtimes,
        defaultRuntime: typeof info.DefaultRuntime === 'string' ? info.DefaultRuntime : '',
      },
    };
  } catch (e) {
    return { ok: false, socket, error: describe(e) };
  }
}

function getJson(socket: string, path: string, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, method: 'GET', headers: { host: 'docker' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`GET ${path} answered HTTP ${res.statusCode}: ${body.trim().slice(0, 200)}`));
        try {
          const parsed: unknown = JSON.parse(body);
          if (!isRecord(parsed)) return reject(new Error(`GET ${path} answered something other than a JSON object`));
          resolve(parsed);
        } catch {
          reject(new Error(`GET ${path} answered something other than JSON`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied (is this user in the docker group?)';
  if (code === 'ECONNREFUSED') return 'connection refused (the daemon is not running)';
  return e instanceof Error ? e.message : String(e);
}
