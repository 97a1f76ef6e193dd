/** What every method implementation gets: the request, its resource path and the two interfaces. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { PayloadTooLargeError } from "./errors.js";
import type { FileSystem } from "./filesystem/types.js";
import type { LockSystem } from "./locks/types.js";
import { parseXml, type XmlElement } from "./xml/parse.js";

export interface Principal {
  username: string;
  readOnly: boolean;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The decoded resource path of the request URL ("/" or "/a/b"). */
  path: string;
  basePath: string;
  fileSystem: FileSystem;
  lockSystem: LockSystem;
  allowInfinityDepth: boolean;
  /** Undefined when the server has no users configured. */
  principal?: Principal;
  /** Receives unexpected errors (5xx) that are answered inside a 207 rather than thrown. */
  report?: (error: unknown) => void;
}

/** XML request bodies larger than this are refused (they hold property names and values, not files). */
export const MAX_XML_BODY = 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_XML_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PayloadTooLargeError(`request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The request's XML body parsed, or undefined when it has none. */
export async function readXmlBody(req: IncomingMessage): Promise<XmlElement | undefined> {
  const text = await readBody(req);
  return text.trim() === "" ? undefined : parseXml(text);
}

/** A request header as one string (repeated headers joined with ", "), or undefined. */
export function headerOf(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}
