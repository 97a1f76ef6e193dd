/**
 * The OpenAPI 3.1 document of every route, generated from the route table's zod schemas
 * (z.toJSONSchema), so it cannot drift from what the server validates.
 */
import { z } from "zod";
import type { RouteSpec } from "./route.js";

type Spec = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string", pattern: "^HEROAGENT_ERR_" }, message: { type: "string" } },
    },
  },
};

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return rest;
};

/** One OpenAPI parameter per property of an object schema. */
function parameters(schema: z.ZodType | undefined, where: "path" | "query") {
  if (!schema) return [];
  const json = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || (json.required ?? []).includes(name),
    schema: property,
  }));
}

/** "/api/jobs/:id" → "/api/jobs/{id}". */
const openApiPath = (url: string) => url.replace(/:([A-Za-z_]\w*)/g, "{$1}");

function operation(spec: Spec) {
  const body = spec.binaryBody
    ? { content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } }
    : spec.body
      ? { required: true, content: { "application/json": { schema: jsonSchema(spec.body) } } }
      : undefined;
  const produces = spec.produces ?? "application/json";
  return {
    tags: [spec.tag],
    summary: spec.summary,
    operationId: `${spec.method.toLowerCase()}${spec.url.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ?? "").toUpperCase())}`,
    parameters: [...parameters(spec.params, "path"), ...parameters(spec.query, "query")],
    ...(body ? { requestBody: body } : {}),
    ...(spec.public ? { security: [] } : {}),
    responses: {
      "200": { description: "success", content: { [produces]: { schema: {} } } },
      default: { description: "an error", content: { "application/json": { schema: errorSchema } } },
    },
  };
}

export function openApiDocument(specs: readonly Spec[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const path = openApiPath(spec.url);
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[spec.method.toLowerCase()] = operation(spec);
  }
  return {
    openapi: "3.1.0",
    info: { title: "HeroAgent API", version },
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "heroagent_session" },
        bearer: { type: "http", scheme: "bearer" },
      },
    },
    security: [{ session: [] }, { bearer: [] }],
    paths,
  };
}
