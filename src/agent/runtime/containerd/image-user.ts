/** The numeric identity a container process runs as. */
export interface ProcessUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids?: readonly number[];
}

/** Reads a file from the image's root filesystem (undefined when absent). */
export type ImageFileReader = (path: string) => Promise<string | undefined>;

const NUMBER_RE = /^\d+$/;

/**
 * True when `user` (an image config's `User`) can be turned into ids without reading
 * the image's /etc/passwd and /etc/group: empty, `0`, or `uid:gid` with both numeric.
 */
export function isSelfContainedUser(user: string): boolean {
  if (user === '' || user === '0' || user === 'root') return true;
  const [u, g] = user.split(':');
  return g !== undefined && NUMBER_RE.test(u ?? '') && NUMBER_RE.test(g);
}

/**
 * Resolves an image's `User` (`name`, `uid`, `name:group`, `uid:gid`, empty = root) the
 * way Docker does: names are looked up in the image's /etc/passwd and /etc/group, a
 * user without a group gets its passwd group (0 when unknown), and the groups that list
 * the user by name become supplementary groups. Throws when a name is not found.
 */
export async function resolveImageUser(user: string, readFile: ImageFileReader): Promise<ProcessUser> {
  if (user === '' || user === '0' || user === 'root') return { uid: 0, gid: 0 };
  const colon = user.indexOf(':');
  const userPart = colon >= 0 ? user.slice(0, colon) : user;
  const groupPart = colon >= 0 ? user.slice(colon + 1) : undefined;
  if (NUMBER_RE.test(userPart) && groupPart !== undefined && NUMBER_RE.test(groupPart)) {
    return { uid: Number(userPart), gid: Number(groupPart) };
  }
  const passwd = parseTable(await readFile('/etc/passwd'));
  const entry = NUMBER_RE.test(userPart) ? passwd.find((p) => p[2] === userPart) : passwd.find((p) => p[0] === userPart);
  if (!entry && !NUMBER_RE.test(userPart)) throw new Error(`user "${userPart}" is not in the image's /etc/passwd`);
  const uid = NUMBER_RE.test(userPart) ? Number(userPart) : Number(entry![2]);
  const groups = parseTable(await readFile('/etc/group'));
  let gid = entry ? Number(entry[3]) : 0;
  if (groupPart !== undefined) {
    if (NUMBER_RE.test(groupPart)) gid = Number(groupPart);
    else {
      const group = groups.find((g) => g[0] === groupPart);
      if (!group) throw new Error(`group "${groupPart}" is not in the image's /etc/group`);
      gid = Number(group[2]);
    }
  }
  const name = entry?.[0];
  const additionalGids = name
    ? groups.filter((g) => (g[3] ?? '').split(',').includes(name)).map((g) => Number(g[2])).filter((g) => g !== gid)
    : [];
  return { uid, gid, ...(additionalGids.length ? { additionalGids } : {}) };
}

function parseTable(text: string | undefined): string[][] {
  if (!text) return [];
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 3 && NUMBER_RE.test(fields[2] ?? ''));
}
