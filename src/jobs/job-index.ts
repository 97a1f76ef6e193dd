/**
 * The in-memory listing index: per jobId its status, topic (interned) and createdAt, in typed arrays
 * indexed by jobId (job ids are OurDB's dense auto-increment ids). Besides the arrays it keeps, per
 * status, a bitset of the ids in that status, per topic the ascending list of its ids, and per block
 * of 256 ids the largest createdAt up to that block (a non-decreasing prefix maximum, so a `since`
 * bound can be binary-searched even when createdAt is not monotone in jobId).
 *
 * `candidates` answers a listing page: the ids below a cursor that match topic, status and time,
 * newest first. It drives the walk from the smallest source (a topic's id list, the bitsets of the
 * statuses asked for, or every id) and checks the other filters on the arrays, so the worst page
 * examines each id once at a few ns, and a page of unfinished jobs costs O(ids/32 + matches).
 * Persistence lives in job-index-file.ts and job-index-keeper.ts.
 */
import type { JobStatus } from "./job.js";

export const STATUS_CODE: Readonly<Record<JobStatus, number>> = { new: 1, active: 2, done: 3, error: 4 };
export const CODE_STATUS: readonly (JobStatus | undefined)[] = [undefined, "new", "active", "done", "error"];
/** OurDB's largest id with the default recordNrMax. */
export const INDEX_ID_MAX = 16_777_214;

const BLOCK_SHIFT = 8;
const ALL_STATUSES = 0b11110;

export interface IndexQuery {
  topic: string | undefined;
  statuses: ReadonlySet<JobStatus> | undefined;
  since: number;
  until: number;
}

/** What a snapshot holds: the arrays for ids 0 … end-1 (id 0 is unused) and the topic names. */
export interface IndexState {
  end: number;
  topics: string[];
  status: Uint8Array;
  topicOf: Uint32Array;
  createdAt: Float64Array;
}

interface TopicIds {
  ids: Uint32Array;
  n: number;
}

export class JobIndex {
  private status = new Uint8Array(1024);
  private topicOf = new Uint32Array(1024);
  private createdAt = new Float64Array(1024);
  private blockMax = new Float64Array(1024 >> BLOCK_SHIFT).fill(Number.NEGATIVE_INFINITY);
  private bits: Uint32Array[] = [0, 1, 2, 3, 4].map(() => new Uint32Array(1024 >> 5));
  private readonly counts = [0, 0, 0, 0, 0];
  private readonly topics: string[] = [];
  private readonly topicCodes = new Map<string, number>();
  private readonly topicIds: TopicIds[] = [];
  /** One past the highest id held. */
  private endId = 1;

  static fromState(state: IndexState): JobIndex {
    const index = new JobIndex();
    index.grow(state.end);
    for (const name of state.topics) index.intern(name);
    const sizes = new Uint32Array(state.topics.length);
    for (let id = 1; id < state.end; id++) {
      const code = state.topicOf[id] as number;
      if (state.status[id] !== 0) sizes[code] = (sizes[code] as number) + 1;
    }
    for (const [code, size] of sizes.entries()) {
      const list = index.topicIds[code] as TopicIds;
      list.ids = new Uint32Array(Math.max(16, size + (size >> 2)));
    }
    for (let id = 1; id < state.end; id++) {
      const s = state.status[id] as number;
      if (s === 0 || s > 4) continue;
      index.add(id, state.topicOf[id] as number, state.createdAt[id] as number, s);
    }
    return index;
  }

  /** The arrays up to `end`, shared (copy before the index changes again). */
  state(): IndexState {
    return {
      end: this.endId,
      topics: [...this.topics],
      status: this.status.subarray(0, this.endId),
      topicOf: this.topicOf.subarray(0, this.endId),
      createdAt: this.createdAt.subarray(0, this.endId),
    };
  }

  /** One past the highest id held. */
  get end(): number {
    return this.endId;
  }

  get size(): number {
    const c = this.counts;
    return (c[1] as number) + (c[2] as number) + (c[3] as number) + (c[4] as number);
  }

  has(id: number): boolean {
    return id < this.endId && this.status[id] !== 0;
  }

  statusOf(id: number): JobStatus | undefined {
    return id < this.endId ? CODE_STATUS[this.status[id] as number] : undefined;
  }

  /** Adds a job, or updates its status when the id is already held (topic and createdAt never change). */
  put(id: number, topic: string, createdAt: number, status: JobStatus): void {
    if (this.has(id)) this.setStatus(id, status);
    else this.add(id, this.intern(topic), createdAt, STATUS_CODE[status]);
  }

  /** Jobs per topic and status: one pass over the arrays (a few ms at 1M jobs). */
  countsByTopic(): Record<string, Record<JobStatus, number>> {
    const perTopic = this.topics.map(() => [0, 0, 0, 0, 0]);
    for (let id = 1; id < this.endId; id++) {
      const code = this.status[id] as number;
      const row = perTopic[this.topicOf[id] as number] as number[];
      if (code !== 0) row[code] = (row[code] as number) + 1;
    }
    const out: Record<string, Record<JobStatus, number>> = {};
    this.topics.forEach((topic, t) => {
      const [, n, a, d, e] = perTopic[t] as number[];
      if ((n as number) + (a as number) + (d as number) + (e as number) > 0) {
        out[topic] = { new: n as number, active: a as number, done: d as number, error: e as number };
      }
    });
    return out;
  }

  setStatus(id: number, status: JobStatus): void {
    const old = this.status[id] as number;
    const code = STATUS_CODE[status];
    if (old === 0 || old === code) return;
    this.clearBit(old, id);
    this.setBit(code, id);
    this.status[id] = code;
  }

  /** Forgets ids from `end` up (a reader whose database view is older than the index files). */
  truncate(end: number): void {
    for (let id = end; id < this.endId; id++) {
      const s = this.status[id] as number;
      if (s === 0) continue;
      this.clearBit(s, id);
      this.status[id] = 0;
      const list = this.topicIds[this.topicOf[id] as number] as TopicIds;
      const at = list.ids.subarray(0, list.n).lastIndexOf(id);
      list.ids.copyWithin(at, at + 1, list.n--);
    }
    this.endId = Math.min(this.endId, Math.max(1, end));
  }

  /** Whether the job `id` is held and matches `q` (one id; `candidates` walks many). */
  matches(id: number, q: IndexQuery): boolean {
    if (!this.has(id)) return false;
    if (q.statuses !== undefined && !q.statuses.has(this.statusOf(id) as JobStatus)) return false;
    if (q.topic !== undefined && this.topics[this.topicOf[id] as number] !== q.topic) return false;
    const created = this.createdAt[id] as number;
    return created >= q.since && created < q.until;
  }

  /** Up to `max` ids below `below` matching `q`, newest first. */
  candidates(q: IndexQuery, below: number, max: number): number[] {
    const out: number[] = [];
    let topic = -1;
    if (q.topic !== undefined) {
      const code = this.topicCodes.get(q.topic);
      if (code === undefined) return out;
      topic = code;
    }
    let mask = ALL_STATUSES;
    if (q.statuses !== undefined) {
      mask = 0;
      for (const s of q.statuses) mask |= 1 << STATUS_CODE[s];
    }
    const start = Math.min(below, this.endId) - 1;
    const stop = Math.max(1, this.sinceStop(q.since));
    if (start < stop || mask === 0) return out;
    const f = { topic, mask, since: q.since, until: q.until, start, stop, max };
    const topicSize = topic >= 0 ? (this.topicIds[topic] as TopicIds).n : Number.POSITIVE_INFINITY;
    let statusSize = Number.POSITIVE_INFINITY;
    if (mask !== ALL_STATUSES)
      statusSize = [1, 2, 3, 4].reduce((n, s) => n + ((mask >> s) & 1 ? (this.counts[s] as number) : 0), 0);
    if (topicSize <= statusSize && topic >= 0) this.walkTopic(f, out);
    else if (statusSize < Number.POSITIVE_INFINITY) this.walkBits(f, out);
    else this.walkAll(f, out);
    return out;
  }

  private walkAll(f: Walk, out: number[]): void {
    const { status, topicOf, createdAt } = this;
    for (let id = f.start; id >= f.stop; id--) {
      if (!((f.mask >> (status[id] as number)) & 1)) continue;
      if (f.topic >= 0 && topicOf[id] !== f.topic) continue;
      const c = createdAt[id] as number;
      if (c < f.since || c >= f.until) continue;
      if (out.push(id) >= f.max) return;
    }
  }

  private walkTopic(f: Walk, out: number[]): void {
    const { ids, n } = this.topicIds[f.topic] as TopicIds;
    let lo = 0;
    let hi = n; // first index whose id > start
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ids[mid] as number) <= f.start) lo = mid + 1;
      else hi = mid;
    }
    const { status, createdAt } = this;
    for (let i = lo - 1; i >= 0; i--) {
      const id = ids[i] as number;
      if (id < f.stop) return;
      if (!((f.mask >> (status[id] as number)) & 1)) continue;
      const c = createdAt[id] as number;
      if (c < f.since || c >= f.until) continue;
      if (out.push(id) >= f.max) return;
    }
  }

  private walkBits(f: Walk, out: number[]): void {
    const sets = [1, 2, 3, 4].filter((s) => (f.mask >> s) & 1).map((s) => this.bits[s] as Uint32Array);
    const { topicOf, createdAt } = this;
    const a = sets[0] as Uint32Array;
    const b = sets[1];
    const more = sets.slice(2);
    const first = f.start >>> 5;
    for (let wi = first; wi >= f.stop >>> 5; wi--) {
      let w = (a[wi] as number) | (b === undefined ? 0 : (b[wi] as number));
      for (const set of more) w |= set[wi] as number;
      if (wi === first && (f.start & 31) !== 31) w &= (1 << ((f.start & 31) + 1)) - 1;
      while (w !== 0) {
        const bit = 31 - Math.clz32(w);
        w ^= 1 << bit;
        const id = (wi << 5) | bit;
        if (id < f.stop) return;
        if (f.topic >= 0 && topicOf[id] !== f.topic) continue;
        const c = createdAt[id] as number;
        if (c < f.since || c >= f.until) continue;
        if (out.push(id) >= f.max) return;
      }
    }
  }

  /** The lowest id that can have createdAt ≥ since: every block below it has a smaller prefix max. */
  private sinceStop(since: number): number {
    if (!(since > Number.NEGATIVE_INFINITY)) return 1;
    let lo = 0;
    let hi = ((this.endId - 1) >> BLOCK_SHIFT) + 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.blockMax[mid] as number) >= since) hi = mid;
      else lo = mid + 1;
    }
    return lo << BLOCK_SHIFT;
  }

  private add(id: number, topic: number, createdAt: number, code: number): void {
    if (!(Number.isInteger(id) && id >= 1 && id <= INDEX_ID_MAX)) throw new Error(`job index: bad id ${id}`);
    if (id >= this.endId) this.extend(id + 1);
    this.status[id] = code;
    this.topicOf[id] = topic;
    this.createdAt[id] = createdAt;
    this.setBit(code, id);
    const last = (this.endId - 1) >> BLOCK_SHIFT;
    for (let b = id >> BLOCK_SHIFT; b <= last && (this.blockMax[b] as number) < createdAt; b++) {
      this.blockMax[b] = createdAt;
    }
    this.appendTopicId(this.topicIds[topic] as TopicIds, id);
  }

  private appendTopicId(list: TopicIds, id: number): void {
    if (list.n === list.ids.length) {
      const bigger = new Uint32Array(list.ids.length * 2);
      bigger.set(list.ids);
      list.ids = bigger;
    }
    // Ids arrive ascending but for concurrent creates finishing out of order: insert in place.
    let i = list.n++;
    while (i > 0 && (list.ids[i - 1] as number) > id) {
      list.ids[i] = list.ids[i - 1] as number;
      i--;
    }
    list.ids[i] = id;
  }

  private extend(end: number): void {
    this.grow(end);
    const oldLast = (this.endId - 1) >> BLOCK_SHIFT;
    const newLast = (end - 1) >> BLOCK_SHIFT;
    this.blockMax.fill(this.blockMax[oldLast] as number, oldLast + 1, newLast + 1);
    this.endId = end;
  }

  private grow(end: number): void {
    if (end <= this.status.length) return;
    let cap = this.status.length;
    while (cap < end) cap *= 2;
    cap = Math.min(cap, INDEX_ID_MAX + 1 + 1024);
    const copy = <T extends Uint8Array | Uint32Array | Float64Array>(from: T, to: T): T => {
      to.set(from as never);
      return to;
    };
    this.status = copy(this.status, new Uint8Array(cap));
    this.topicOf = copy(this.topicOf, new Uint32Array(cap));
    this.createdAt = copy(this.createdAt, new Float64Array(cap));
    const blocks = new Float64Array((cap >> BLOCK_SHIFT) + 1).fill(Number.NEGATIVE_INFINITY);
    this.blockMax = copy(this.blockMax, blocks);
    this.bits = this.bits.map((set) => copy(set, new Uint32Array((cap >> 5) + 1)));
  }

  private intern(topic: string): number {
    let code = this.topicCodes.get(topic);
    if (code === undefined) {
      code = this.topics.push(topic) - 1;
      this.topicCodes.set(topic, code);
      this.topicIds.push({ ids: new Uint32Array(16), n: 0 });
    }
    return code;
  }

  private setBit(code: number, id: number): void {
    const set = this.bits[code] as Uint32Array;
    set[id >>> 5] = (set[id >>> 5] as number) | (1 << (id & 31));
    this.counts[code] = (this.counts[code] as number) + 1;
  }

  private clearBit(code: number, id: number): void {
    const set = this.bits[code] as Uint32Array;
    set[id >>> 5] = (set[id >>> 5] as number) & ~(1 << (id & 31));
    this.counts[code] = (this.counts[code] as number) - 1;
  }
}

interface Walk {
  topic: number;
  mask: number;
  since: number;
  until: number;
  start: number;
  stop: number;
  max: number;
}
