import { ROUTES, type RouteDef, type RouteId } from '../../api/routes.js';

/** A request matched to a route, with its path parameters decoded. */
export interface RouteMatch {
  readonly id: RouteId;
  readonly route: RouteDef;
  readonly params: Readonly<Record<string, string>>;
}

interface Compiled {
  readonly id: RouteId;
  readonly route: RouteDef;
  readonly re: RegExp;
  readonly names: readonly string[];
}

/** Compiles the route table once; the matcher answers a match, `method` (path known, method not) or undefined. */
export function compileRouter(): (method: string, path: string) => RouteMatch | 'method' | undefined {
  const compiled: Compiled[] = Object.entries(ROUTES).map(([id, route]) => {
    const names: string[] = [];
    const pattern = route.path.replace(/[.]/g, '\\.').replace(/:([A-Za-z]+)/g, (_, n: string) => {
      names.push(n);
      return '([^/]+)';
    });
    return { id: id as RouteId, route, re: new RegExp(`^${pattern}/?$`), names };
  });
  return (method, path) => {
    let pathKnown = false;
    for (const c of compiled) {
      const m = c.re.exec(path);
      if (!m) continue;
      pathKnown = true;
      if (c.route.method !== method) continue;
      const params: Record<string, string> = {};
      try {
        c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
      } catch {
        return undefined;
      }
      return { id: c.id, route: c.route, params };
    }
    return pathKnown ? 'method' : undefined;
  };
}
