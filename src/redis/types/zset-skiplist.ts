/**
 * Redis's zskiplist (t_zset.c): nodes ordered by score, then by member bytes, with a span per
 * forward link so ranks are found in O(log n) as well. Members are latin1 strings, so JS string
 * comparison is memcmp order.
 */
const MAX_LEVEL = 32;
const P = 0.25;

export class ZNode {
  /** The previous node on level 0 (undefined for the first). */
  backward: ZNode | undefined = undefined;
  /** Forward link per level. */
  readonly next: (ZNode | undefined)[];
  /** How many level-0 steps each forward link covers. */
  readonly span: number[];

  constructor(
    readonly member: string,
    public score: number,
    level: number,
  ) {
    this.next = new Array(level).fill(undefined);
    this.span = new Array(level).fill(0);
  }

  /** The next node on level 0. */
  get forward(): ZNode | undefined {
    return this.next[0];
  }
}

/** Whether (score, member) sorts before the node `x` (false for no node). */
const before = (x: ZNode | undefined, score: number, member: string): x is ZNode =>
  x !== undefined && (x.score < score || (x.score === score && x.member < member));

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

export class Skiplist {
  readonly header = new ZNode("", 0, MAX_LEVEL);
  tail: ZNode | undefined = undefined;
  length = 0;
  level = 1;
  /** Reused by insert/delete for the nodes preceding the target on each level. */
  private readonly update: ZNode[] = new Array(MAX_LEVEL).fill(this.header);
  private readonly rank: number[] = new Array(MAX_LEVEL).fill(0);

  get first(): ZNode | undefined {
    return this.header.next[0];
  }

  /** Inserts a member known to be absent. */
  insert(score: number, member: string): ZNode {
    const { update, rank } = this;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : (rank[i + 1] as number);
      for (let next = x.next[i]; before(next, score, member); next = x.next[i]) {
        rank[i] = (rank[i] as number) + (x.span[i] as number);
        x = next;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.header;
        this.header.span[i] = this.length;
      }
      this.level = level;
    }
    const node = new ZNode(member, score, level);
    const rank0 = rank[0] as number;
    for (let i = 0; i < level; i++) {
      const prev = update[i] as ZNode;
      node.next[i] = prev.next[i];
      prev.next[i] = node;
      node.span[i] = (prev.span[i] as number) - (rank0 - (rank[i] as number));
      prev.span[i] = rank0 - (rank[i] as number) + 1;
    }
    for (let i = level; i < this.level; i++) {
      const prev = update[i] as ZNode;
      prev.span[i] = (prev.span[i] as number) + 1;
    }
    node.backward = update[0] === this.header ? undefined : update[0];
    if (node.next[0]) (node.next[0] as ZNode).backward = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  /** Removes the node with exactly (score, member); false when there is none. */
  delete(score: number, member: string): boolean {
    const x = this.findUpdatePath(score, member).next[0];
    if (x === undefined || x.score !== score || x.member !== member) return false;
    this.unlinkAfterPath(x);
    return true;
  }

  /** Changes a member's score, moving its node only when the order requires it. */
  updateScore(current: number, member: string, score: number): void {
    const x = this.findUpdatePath(current, member).next[0] as ZNode;
    const next = x.next[0];
    if (
      (x.backward === undefined || x.backward.score < score) &&
      (next === undefined || next.score > score)
    ) {
      x.score = score;
      return;
    }
    this.unlinkAfterPath(x);
    this.insert(score, member);
  }

  /** 1-based rank of (score, member), 0 when absent. */
  rankOf(score: number, member: string): number {
    let rank = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.next[i]; next !== undefined; next = x.next[i]) {
        if (!(next.score < score || (next.score === score && next.member <= member))) break;
        rank += x.span[i] as number;
        x = next;
      }
      if (x !== this.header && x.score === score && x.member === member) return rank;
    }
    return 0;
  }

  /** The node at a 1-based rank. */
  byRank(rank: number): ZNode | undefined {
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== undefined && traversed + (x.span[i] as number) <= rank) {
        traversed += x.span[i] as number;
        x = x.next[i] as ZNode;
      }
      if (traversed === rank) return x === this.header ? undefined : x;
    }
    return undefined;
  }

  /** The last node for which `outside(node)` holds, scanning from the head (header if none). */
  lastWhere(outside: (node: ZNode) => boolean): ZNode {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.next[i]; next !== undefined && outside(next); next = x.next[i]) x = next;
      this.update[i] = x;
    }
    return x;
  }

  /**
   * Deletes nodes from the first one after `lastWhere(outside)` while `inside` holds; calls
   * `removed` with each. Returns the count.
   */
  deleteRun(
    outside: (node: ZNode) => boolean,
    inside: (node: ZNode) => boolean,
    removed: (node: ZNode) => void,
  ): number {
    let x = this.lastWhere(outside).next[0];
    let count = 0;
    while (x !== undefined && inside(x)) {
      const next = x.next[0];
      this.unlinkAfterPath(x);
      removed(x);
      count++;
      x = next;
    }
    return count;
  }

  /** Deletes the nodes of 1-based ranks start..end; calls `removed` with each. */
  deleteByRank(start: number, end: number, removed: (node: ZNode) => void): number {
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== undefined && traversed + (x.span[i] as number) < start) {
        traversed += x.span[i] as number;
        x = x.next[i] as ZNode;
      }
      this.update[i] = x;
    }
    let node = x.next[0];
    let count = 0;
    for (traversed++; node !== undefined && traversed <= end; traversed++) {
      const next = node.next[0];
      this.unlinkAfterPath(node);
      removed(node);
      count++;
      node = next;
    }
    return count;
  }

  private findUpdatePath(score: number, member: string): ZNode {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = x.next[i]; before(next, score, member); next = x.next[i]) x = next;
      this.update[i] = x;
    }
    return x;
  }

  /** zslDeleteNode: `update` holds the nodes preceding `x` on every level. */
  private unlinkAfterPath(x: ZNode): void {
    const update = this.update;
    for (let i = 0; i < this.level; i++) {
      const prev = update[i] as ZNode;
      if (prev.next[i] === x) {
        prev.span[i] = (prev.span[i] as number) + (x.span[i] as number) - 1;
        prev.next[i] = x.next[i];
      } else {
        prev.span[i] = (prev.span[i] as number) - 1;
      }
    }
    const next = x.next[0];
    if (next) next.backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && this.header.next[this.level - 1] === undefined) this.level--;
    this.length--;
  }
}
