import { parseInteger } from "../resp/numbers.js";
import { type KeySpec, keySpecs } from "./command-meta.js";
import type { CommandSpec } from "./spec.js";

/** A key argument found by COMMAND GETKEYS: its position in argv and its key-spec flags. */
export interface KeyReference {
  index: number;
  flags: readonly string[];
}

/**
 * Commands whose key specs carry VARIABLE_FLAGS: Redis asks the command itself (its getkeys_proc).
 * SET is RW+ACCESS with GET, OW otherwise (db.c setGetKeys).
 */
const VARIABLE_FLAGS: Record<string, (argv: readonly string[]) => KeyReference[]> = {
  set: (argv) => {
    const get = argv.slice(3).some((arg) => arg.toLowerCase() === "get");
    return [{ index: 1, flags: get ? ["RW", "access", "update"] : ["OW", "update"] }];
  },
};

/** Whether COMMAND GETKEYS can find keys in the command at all ("has no key arguments" otherwise). */
export function hasKeys(spec: CommandSpec): boolean {
  return VARIABLE_FLAGS[spec.name] !== undefined || keySpecs(spec).some((s) => !s.flags.includes("not_key"));
}

/**
 * The keys of `argv` following the command's key specs, as db.c getKeysUsingKeySpecs does; undefined
 * when the arguments do not fit the specs (a missing keyword target, a bad numkeys …).
 */
export function findKeys(spec: CommandSpec, argv: readonly string[]): KeyReference[] | undefined {
  const special = VARIABLE_FLAGS[spec.name];
  if (special) return special(argv);
  const keys: KeyReference[] = [];
  for (const keySpec of keySpecs(spec)) {
    if (keySpec.flags.includes("not_key")) continue;
    const first = beginSearch(keySpec, argv);
    if (first === 0) continue;
    if (first === undefined) return undefined;
    const range = findRange(keySpec, argv, first);
    if (!range) return undefined;
    const [start, last, step] = range;
    if (last >= argv.length || last < start || start >= argv.length) return undefined;
    for (let i = start; i <= last; i += step) keys.push({ index: i, flags: keySpec.flags });
  }
  return keys;
}

/** Where the keys start: 0 when a keyword is absent (the spec is skipped), undefined if unknown. */
function beginSearch(keySpec: KeySpec, argv: readonly string[]): number | undefined {
  const { type, spec } = keySpec.begin_search;
  if (type === "index") return spec.index as number;
  if (type !== "keyword") return undefined;
  const keyword = (spec.keyword as string).toLowerCase();
  const from = spec.startfrom as number;
  const start = from > 0 ? from : argv.length + from;
  const end = from > 0 ? argv.length - 1 : 1;
  for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
    if (i >= argv.length || i < 1) break;
    if ((argv[i] as string).toLowerCase() === keyword) return i + 1;
  }
  return 0;
}

/** First, last and step of the keys after `first`, from a range or a numkeys spec. */
function findRange(
  keySpec: KeySpec,
  argv: readonly string[],
  first: number,
): [number, number, number] | undefined {
  const { type, spec } = keySpec.find_keys;
  if (type === "range") {
    const lastKey = spec.lastkey as number;
    const limit = spec.limit as number;
    let last: number;
    if (lastKey >= 0) last = first + lastKey;
    else if (!limit) last = argv.length + lastKey;
    else last = first + (Math.floor((argv.length - first) / limit) + lastKey);
    return [first, last, spec.keystep as number];
  }
  if (type !== "keynum") return undefined;
  const at = first + (spec.keynumidx as number);
  if (at >= argv.length) return undefined;
  const count = parseInteger(argv[at] as string);
  if (count === undefined || count < 0) return undefined;
  const start = first + (spec.firstkey as number);
  return [start, start + count - 1, spec.keystep as number];
}
