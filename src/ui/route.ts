/**
 * The API's route table: each route declares its zod schemas once; they validate every request
 * (params, query string, body) and the OpenAPI document is generated from the same table.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";

export type Method = "GET" | "POST" | "PUT" | "DELETE";

const none = z.object({});
type None = typeof none;

export interface RouteSpec<
  P extends z.ZodType = None,
  Q extends z.ZodType = None,
  B extends z.ZodType = None,
> {
  method: Method;
  /** fastify syntax: "/api/jobs/:id". */
  url: string;
  tag: string;
  summary: string;
  params?: P;
  query?: Q;
  /** A JSON body; see `binaryBody` for a raw stream. */
  body?: B;
  /** The body is the raw request stream (uploads), not JSON. */
  binaryBody?: boolean;
  /** Reply media type when not JSON. */
  produces?: string;
  /** Served without a login (the operations endpoints and /api/login). */
  public?: boolean;
}

export interface RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

export type RouteHandler<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = (
  input: RouteInput<P, Q, B>,
  request: FastifyRequest,
  reply: FastifyReply,
) => unknown;

/** Registers routes on a fastify app and keeps their specs for the OpenAPI document. */
export class RouteTable {
  readonly specs: RouteSpec<z.ZodType, z.ZodType, z.ZodType>[] = [];
  /** "METHOD url" of the routes that read the raw request stream, whatever its media type. */
  readonly rawBodyRoutes = new Set<string>();

  constructor(
    private readonly app: FastifyInstance,
    /** Filled with "METHOD url" of every public route (see Auth.publicRoutes). */
    private readonly publicRoutes: Set<string>,
  ) {}

  add<P extends z.ZodType = None, Q extends z.ZodType = None, B extends z.ZodType = None>(
    spec: RouteSpec<P, Q, B>,
    handler: RouteHandler<P, Q, B>,
  ): void {
    this.specs.push(spec as RouteSpec<z.ZodType, z.ZodType, z.ZodType>);
    if (spec.public) this.publicRoutes.add(`${spec.method} ${spec.url}`);
    if (spec.public && spec.method === "GET") this.publicRoutes.add(`HEAD ${spec.url}`);
    if (spec.binaryBody) this.rawBodyRoutes.add(`${spec.method} ${spec.url}`);
    this.app.route({
      method: spec.method,
      url: spec.url,
      handler: async (request, reply) => {
        const input = {
          params: (spec.params ?? none).parse(request.params ?? {}),
          query: (spec.query ?? none).parse(request.query ?? {}),
          body: spec.body ? spec.body.parse(request.body) : {},
        } as RouteInput<P, Q, B>;
        return handler(input, request, reply);
      },
    });
  }

  /**
   * A GET route outside the API (the web pages and their assets): served without a login,
   * answered for HEAD too, and left out of the OpenAPI document.
   */
  addPage(url: string, handler: (request: FastifyRequest, reply: FastifyReply) => unknown): void {
    this.publicRoutes.add(`GET ${url}`);
    this.publicRoutes.add(`HEAD ${url}`);
    this.app.route({ method: "GET", url, handler: async (request, reply) => handler(request, reply) });
  }
}

/** A decimal integer in a query string or path. */
export const intString = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d{1,16}$/, "an integer")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
