/**
 * The client's side of a connection, after the reply reader: which command each reply answers, and
 * which replies are pub/sub messages instead. Shared by the in-process connection
 * (local-connection.ts) and the job system's socket connection (jobs/socket-connection.ts).
 *
 * In RESP2 a message array is a push only while the connection is subscribed; in RESP3 pushes have
 * their own type. A subscription command is confirmed once per channel or pattern it names (with
 * none named, once per one it leaves, at least once).
 */

import { ReplyError } from "./reply-reader.js";

/** The connection closed (server stopped, CLIENT KILL, QUIT, close()) before the reply came. */
export class ConnectionClosedError extends Error {
  override name = "ConnectionClosedError";
  constructor() {
    super("Connection is closed.");
  }
}

const SUBSCRIPTIONS = new Map<string, "channels" | "patterns" | "shards">([
  ["subscribe", "channels"],
  ["unsubscribe", "channels"],
  ["psubscribe", "patterns"],
  ["punsubscribe", "patterns"],
  ["ssubscribe", "shards"],
  ["sunsubscribe", "shards"],
]);
const PUSHES = new Set(["message", "pmessage", "smessage"]);
/** Answered slots at the head of the waiting list that are dropped even while it is not empty. */
const COMPACT_AT = 1024;

interface Waiter {
  /** The command's name in lower case: some replies change how the next ones are read. */
  name: string;
  /** How many arguments it has: the channels or patterns a subscription command names. */
  names: number;
  /** A subscription command's confirmations still to come, counted when the first one arrives. */
  left: number;
  batch: ReplyBatch;
  /** Its place in the batch. */
  index: number;
  /** What it is answered instead of the server's reply (a command refused before it was sent). */
  refusal: ReplyError | undefined;
}

/**
 * The replies of commands sent together: resolves with all of them in order once the last has come,
 * an error reply as a ReplyError in its place; the first failure (the connection closed) rejects.
 */
export class ReplyBatch {
  private readonly replies: unknown[];
  private received = 0;
  private failed = false;

  constructor(
    count: number,
    private readonly resolve: (replies: unknown[]) => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.replies = new Array<unknown>(count);
    if (count === 0) resolve(this.replies);
  }

  reply(index: number, value: unknown): void {
    this.replies[index] = value;
    if (++this.received === this.replies.length) this.resolve(this.replies);
  }

  fail(error: Error): void {
    if (!this.failed) this.reject(error);
    this.failed = true;
  }
}

/** The reply of a batch of one: an error reply rejects. */
export async function onlyReply(batch: Promise<unknown[]>): Promise<unknown> {
  const [reply] = await batch;
  if (reply instanceof ReplyError) throw reply;
  return reply;
}

export class ReplyRouter {
  private waiting: Waiter[] = [];
  private head = 0;
  private pushListener: ((message: unknown[]) => void) | undefined;
  /** The subscriptions and protocol as of the last reply read (the server's own state may be ahead). */
  private readonly subscriptions = {
    channels: new Set<unknown>(),
    patterns: new Set<unknown>(),
    shards: new Set<unknown>(),
  };
  private resp = 2;

  /**
   * Waits for the reply to a command sent, the `index`th of `batch`: `name` in lower case, `names`
   * its argument count. With a `refusal`, that is its reply, whatever the server answers.
   */
  expect(name: string, names: number, batch: ReplyBatch, index: number, refusal?: ReplyError): void {
    this.waiting.push({ name, names, left: 0, batch, index, refusal });
  }

  /** Hears the messages of the channels and patterns subscribed to. */
  onPush(listener: (message: unknown[]) => void): void {
    this.pushListener = listener;
  }

  /** Takes the next reply read; `push` is true for a RESP3 push. */
  answer(value: unknown, push: boolean): void {
    if (Array.isArray(value) && PUSHES.has(value[0]) && (push || (this.resp === 2 && this.subscribed))) {
      // Not from inside the reply reader: a listener may send a command, whose reply is read at once.
      queueMicrotask(() => this.pushListener?.(value));
      return;
    }
    const waiter = this.waiting[this.head];
    if (!waiter) return; // nothing asked for it
    if (!this.follow(waiter, value)) return; // more confirmations to come
    this.waiting[this.head++] = undefined as unknown as Waiter;
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AT && this.head * 2 >= this.waiting.length) {
      // Never empty (a command always waits behind a blocked one): drop the answered slots anyway.
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    waiter.batch.reply(waiter.index, waiter.refusal ?? value);
  }

  /** The connection closed: every command still waiting fails with ConnectionClosedError. */
  closed(): void {
    const unanswered = this.waiting.slice(this.head);
    this.waiting = [];
    this.head = 0;
    for (const waiter of unanswered) waiter.batch.fail(new ConnectionClosedError());
  }

  /**
   * Follows what `waiter`'s reply changes in how the next ones are read (subscriptions, protocol);
   * false while the command has more confirmations to come.
   */
  private follow(waiter: Waiter, value: unknown): boolean {
    const { name } = waiter;
    const kind = SUBSCRIPTIONS.get(name);
    if (kind !== undefined) {
      if (!Array.isArray(value) || value[0] !== name) return true; // refused, or queued in MULTI: one reply
      const subscriptions = this.subscriptions[kind];
      if (waiter.left === 0) waiter.left = waiter.names > 0 ? waiter.names : Math.max(1, subscriptions.size);
      if (!name.endsWith("unsubscribe")) subscriptions.add(value[1]);
      else subscriptions.delete(value[1]);
      return --waiter.left === 0;
    }
    if (name === "hello" && Array.isArray(value)) this.resp = value[value.indexOf("proto") + 1] === 3 ? 3 : 2;
    else if (name === "reset" && value === "RESET") {
      this.resp = 2;
      for (const subscriptions of Object.values(this.subscriptions)) subscriptions.clear();
    }
    return true;
  }

  private get subscribed(): boolean {
    const { channels, patterns, shards } = this.subscriptions;
    return channels.size + patterns.size + shards.size > 0;
  }
}
