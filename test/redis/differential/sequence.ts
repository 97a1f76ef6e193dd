/**
 * One differential case: its commands run in order, on a freshly flushed server, against the
 * embedded server and a real redis-server; the replies must be identical.
 */
export interface Sequence {
  name: string;
  /** Each command as its arguments, e.g. ["SET", "k", "v", "EX", "10"]. */
  commands: string[][];
  /**
   * Indexes (into `commands`) whose array replies are compared as multisets: where Redis answers in
   * its hash-table order (KEYS, SMEMBERS of a big set, HGETALL of a big hash …).
   */
  unordered?: number[];
  /** The protocol of the connection (HELLO 3 first when 3). Default 2. */
  resp?: 2 | 3;
}
