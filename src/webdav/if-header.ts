/**
 * The If request header (RFC 4918 §10.4): a disjunction of lists, each a conjunction of conditions
 * on lock tokens and entity tags, optionally tagged with the resource they apply to.
 */
import { BadRequestError } from "./errors.js";

export interface IfCondition {
  not: boolean;
  /** A state token (lock token), without angle brackets. */
  token?: string;
  /** An entity tag as written, with its quotes (and W/ prefix if weak). */
  etag?: string;
}

export interface IfList {
  /** The tagged resource's URL as written, or undefined for the request URL. */
  resource?: string;
  conditions: IfCondition[];
}

/** Parses an If header; throws BadRequestError when it does not follow the grammar. */
export function parseIfHeader(header: string): IfList[] {
  const lists: IfList[] = [];
  let resource: string | undefined;
  let rest = header.trim();
  let tagged: boolean | undefined;
  while (rest !== "") {
    if (rest.startsWith("<")) {
      if (tagged === false) throw new BadRequestError("If header mixes tagged and untagged lists");
      tagged = true;
      [resource, rest] = readUntil(rest.slice(1), ">");
    } else if (rest.startsWith("(")) {
      if (tagged === undefined) tagged = false;
      let body: string;
      [body, rest] = readUntil(rest.slice(1), ")");
      lists.push({ ...(resource !== undefined ? { resource } : {}), conditions: parseConditions(body) });
    } else {
      throw new BadRequestError(`malformed If header near: ${rest.slice(0, 20)}`);
    }
    rest = rest.trimStart();
  }
  if (lists.length === 0) throw new BadRequestError("If header has no condition list");
  return lists;
}

function readUntil(text: string, end: string): [string, string] {
  const index = text.indexOf(end);
  if (index === -1) throw new BadRequestError(`unterminated ${end === ">" ? "<" : "("} in If header`);
  return [text.slice(0, index), text.slice(index + 1).trimStart()];
}

function parseConditions(body: string): IfCondition[] {
  const conditions: IfCondition[] = [];
  let rest = body.trim();
  while (rest !== "") {
    let not = false;
    if (/^not\b/i.test(rest)) {
      not = true;
      rest = rest.slice(3).trimStart();
    }
    if (rest.startsWith("<")) {
      let token: string;
      [token, rest] = readUntil(rest.slice(1), ">");
      conditions.push({ not, token });
    } else if (rest.startsWith("[")) {
      let etag: string;
      [etag, rest] = readUntil(rest.slice(1), "]");
      conditions.push({ not, etag });
    } else {
      throw new BadRequestError(`malformed If header condition near: ${rest.slice(0, 20)}`);
    }
    rest = rest.trimStart();
  }
  if (conditions.length === 0) throw new BadRequestError("empty condition list in If header");
  return conditions;
}

/** Every lock token the header mentions positively: these are "submitted" (RFC 4918 §6.5). */
export function submittedTokens(lists: readonly IfList[]): Set<string> {
  const tokens = new Set<string>();
  for (const list of lists) {
    for (const condition of list.conditions)
      if (condition.token && !condition.not) tokens.add(condition.token);
  }
  return tokens;
}
