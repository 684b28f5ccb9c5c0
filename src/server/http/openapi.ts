import { ERROR_CATALOGUE } from '../../api/errors.js';
import { ROUTES, type RouteDef } from '../../api/routes.js';
import { DeploymentManifestSchema, PodManifestSchema, SandboxManifestSchema } from '../../api/schemas/workload.js';

/** Plain JSON Schema from a TypeBox schema (drops TypeBox's symbol keys). */
function plain(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema));
}

/**
 * The API as an OpenAPI 3.1 document, generated from the route table and the same
 * schemas that validate requests, so the two cannot drift.
 */
export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorSchema = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) }, message: { type: 'string' }, details: { type: 'object' } },
      },
    },
  };
  for (const [id, route] of Object.entries(ROUTES) as Array<[string, RouteDef]>) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const op: Record<string, unknown> = {
      operationId: id,
      summary: route.summary,
      ...(route.auth === 'public' ? { security: [] } : {}),
      'x-idyl-auth': route.auth,
      parameters: params,
      responses: {
        '200': { description: 'OK', content: { [route.stream === 'ndjson' ? 'application/x-ndjson' : route.stream === 'text' ? 'text/plain' : 'application/json']: {} } },
        default: { description: 'An error from the catalogue', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (route.query) {
      const q = plain(route.query) as { properties?: Record<string, unknown> };
      for (const [name, schema] of Object.entries(q.properties ?? {})) (op.parameters as unknown[]).push({ name, in: 'query', required: false, schema });
    }
    if (route.body === 'manifest') {
      op.requestBody = { required: true, content: { 'application/json': { schema: { oneOf: [plain(PodManifestSchema), plain(DeploymentManifestSchema), plain(SandboxManifestSchema)] } } } };
    } else if (route.body === 'stream') {
      op.requestBody = { required: true, content: { 'text/plain': {} } };
    } else if (route.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: plain(route.body) } } };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'idyl control plane', version: '1' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Error: errorSchema } },
    security: [{ bearer: [] }],
    paths,
  };
}
