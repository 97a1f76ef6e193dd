/**
 * How many nodes Redis's radix tree (rax) has when it holds the given stream node keys, for
 * XINFO STREAM's radix-tree-nodes. Keys are 16 big-endian bytes (the IDs of the nodes' first
 * entries). A rax is a compressed trie: a run of bytes shared by every key below a point is one
 * compressed node, a point where keys differ is one branching node, and each key ends in a leaf.
 */
import type { StreamId } from "./stream-id.js";

const KEY_BYTES = 16;

/** Node count of a rax holding `keys` (sorted ascending, distinct). */
export function raxNodeCount(keys: readonly StreamId[]): number {
  if (keys.length === 0) return 1; // the empty root
  return subtree(keys, 0, keys.length - 1, 0);
}

/** Nodes below the point `depth` bytes into keys[lo..hi], which share those bytes. */
function subtree(keys: readonly StreamId[], lo: number, hi: number, depth: number): number {
  if (depth === KEY_BYTES) return 1; // the leaf
  if (lo === hi) return 2; // one compressed node with the rest of the key, then the leaf
  const shared = sharedBytes(keys[lo] as StreamId, keys[hi] as StreamId);
  if (shared > depth) return 1 + subtree(keys, lo, hi, shared);
  let nodes = 1; // the branching node at `depth`
  let start = lo;
  while (start <= hi) {
    const byte = byteAt(keys[start] as StreamId, depth);
    let end = start;
    while (end < hi && byteAt(keys[end + 1] as StreamId, depth) === byte) end++;
    nodes += subtree(keys, start, end, depth + 1);
    start = end + 1;
  }
  return nodes;
}

function byteAt(key: StreamId, depth: number): number {
  return Number((key >> BigInt(8 * (KEY_BYTES - 1 - depth))) & 0xffn);
}

/** Length of the common prefix of two keys, in bytes. */
function sharedBytes(a: StreamId, b: StreamId): number {
  const diff = a ^ b;
  if (diff === 0n) return KEY_BYTES;
  return (128 - diff.toString(2).length) >> 3;
}
