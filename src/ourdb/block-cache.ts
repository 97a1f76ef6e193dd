/**
 * A bounded cache of data-file blocks, so that reading a record is a memory copy rather than a system
 * call. Data files are append-only but for zero-filling deletes and recovery rewrites, and every write
 * goes through `patch`, so a cached block never holds stale bytes.
 */
export const BLOCK_SIZE = 64 * 1024;

interface Block {
  bytes: Buffer;
  /** Valid bytes from the block's start (the last block of a file is short). */
  length: number;
}

export class BlockCache {
  private readonly blocks = new Map<number, Block>();
  private readonly capacity: number;

  constructor(cacheBytes: number) {
    this.capacity = Math.floor(cacheBytes / BLOCK_SIZE);
  }

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** The block holding [position, position+length) of `file` if cached that far. */
  lookup(file: number, position: number, length: number): { bytes: Buffer; offset: number } | undefined {
    const block = this.blocks.get(key(file, position));
    const offset = position % BLOCK_SIZE;
    if (!block || offset + length > block.length) return undefined;
    return { bytes: block.bytes, offset };
  }

  /** Loads the block of `position` with `read(buffer, blockStart)` → bytes read. */
  load(file: number, position: number, read: (buffer: Buffer, start: number) => number): void {
    const start = position - (position % BLOCK_SIZE);
    const bytes = Buffer.allocUnsafe(BLOCK_SIZE);
    const length = read(bytes, start);
    if (this.blocks.size >= this.capacity) {
      const oldest = this.blocks.keys().next().value as number;
      this.blocks.delete(oldest);
    }
    this.blocks.set(key(file, start), { bytes, length });
  }

  /** Applies a write to the cached blocks it touches (a write past a block's known end drops the block). */
  patch(file: number, position: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) {
      const at = position + done;
      const offset = at % BLOCK_SIZE;
      const n = Math.min(BLOCK_SIZE - offset, data.length - done);
      const k = key(file, at);
      const block = this.blocks.get(k);
      if (block) {
        if (offset <= block.length) {
          block.bytes.set(data.subarray(done, done + n), offset);
          block.length = Math.max(block.length, offset + n);
        } else {
          this.blocks.delete(k);
        }
      }
      done += n;
    }
  }

  clear(): void {
    this.blocks.clear();
  }
}

const key = (file: number, position: number) => file * 2 ** 16 + Math.floor(position / BLOCK_SIZE);
