/**
 * A run's orders, fills and round trips as columnar blocks: BLOCK_ITEMS consecutive items per block,
 * each field one typed column inside a single byte buffer, strings replaced by indexes into the
 * block's own dictionary. Writing a 370k-fill run is then ~100 inserts of memcpy'd bytes instead of
 * a million row inserts, and the buffers can be built in the worker and transferred, not cloned.
 *
 * Layout of `bytes` (format 1), n = count: the kind's 8-byte columns (n × Float64 each), then its
 * 4-byte columns (n × Int32 each), in slot order (see CODECS). null numbers are NaN (results never
 * hold NaN: see engine/finite-results.ts), null strings are code -1, booleans 0/1. Format 2 is the
 * same bytes compressed with raw deflate (level 1): stored blocks use it, as columns of ids, times,
 * enums and mostly-null fields shrink 2-8x (a heavy run: 88 MB to about 20 MB), which is what the
 * disk has to take; blocks streamed live to the main thread stay format 1.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Fill, Order } from '../engine/orders.js';
import type { RoundTrip } from '../engine/results.js';
import { RESULT_KINDS } from './schema/runs.js';

export { RESULT_KINDS };
export type ResultKind = (typeof RESULT_KINDS)[number];

/** Items per block: a page of up to 10,000 touches at most 3 blocks of under 1 MB each. */
export const BLOCK_ITEMS = 8_192;
export const BLOCK_FORMAT = 1;
export const BLOCK_FORMAT_DEFLATE = 2;

/** The engine's shape of each kind's items. */
export interface ResultItemOf {
  fills: Fill;
  orders: Order;
  roundTrips: RoundTrip;
}

/** One encoded block, as stored in result_blocks (and as a worker transfers it). */
export interface ResultBlock {
  readonly kind: ResultKind;
  /** Index of the block's first item in the run's list. */
  readonly firstSeq: number;
  readonly count: number;
  readonly format: number;
  /** JSON array of the strings the text columns point into. */
  readonly dictionary: string;
  readonly bytes: Uint8Array;
}

/** Writes item i's fields into their columns; `slot` numbers a column within its width group. */
class ColumnWriter {
  i = 0;
  private readonly codes = new Map<string, number>();
  readonly strings: string[] = [];
  constructor(
    private readonly n: number,
    private readonly wide: Float64Array,
    private readonly narrow: Int32Array,
    private readonly what: string,
  ) {}
  f64(slot: number, v: number): void {
    this.wide[slot * this.n + this.i] = v;
  }
  /** null as NaN. */
  f64OrNull(slot: number, v: number | null): void {
    this.wide[slot * this.n + this.i] = v === null ? NaN : v;
  }
  i32(slot: number, v: number): void {
    if (v !== (v | 0)) throw new RangeError(`${this.what}: ${v} is not a 32-bit integer`);
    this.narrow[slot * this.n + this.i] = v;
  }
  bool(slot: number, v: boolean): void {
    this.narrow[slot * this.n + this.i] = v ? 1 : 0;
  }
  /** A dictionary code; null as -1. */
  text(slot: number, v: string | null): void {
    let c = -1;
    if (v !== null) {
      c = this.codes.get(v) ?? -1;
      if (c < 0) {
        this.codes.set(v, (c = this.strings.length));
        this.strings.push(v);
      }
    }
    this.narrow[slot * this.n + this.i] = c;
  }
}

/** Reads item i's fields back from their columns. */
class ColumnReader {
  i = 0;
  constructor(
    private readonly n: number,
    private readonly wide: Float64Array,
    private readonly narrow: Int32Array,
    private readonly strings: readonly string[],
  ) {}
  f64(slot: number): number {
    return this.wide[slot * this.n + this.i]!;
  }
  f64OrNull(slot: number): number | null {
    const v = this.wide[slot * this.n + this.i]!;
    return Number.isNaN(v) ? null : v;
  }
  i32(slot: number): number {
    return this.narrow[slot * this.n + this.i]!;
  }
  bool(slot: number): boolean {
    return this.narrow[slot * this.n + this.i] !== 0;
  }
  text<S extends string = string>(slot: number): S {
    return this.strings[this.narrow[slot * this.n + this.i]!] as S;
  }
  textOrNull(slot: number): string | null {
    const c = this.narrow[slot * this.n + this.i]!;
    return c < 0 ? null : this.strings[c]!;
  }
}

/**
 * Each kind's columns, written out field by field (static property names keep every access
 * monomorphic: a generic loop over field names was ~10x slower). Changing one needs a new BLOCK_FORMAT.
 */
interface Codec<T> {
  /** 8-byte (Float64) columns. */
  readonly wide: number;
  /** 4-byte (Int32) columns: integers, booleans, dictionary codes. */
  readonly narrow: number;
  write(item: T, w: ColumnWriter): void;
  read(r: ColumnReader): T;
}

const CODECS: { readonly [K in ResultKind]: Codec<ResultItemOf[K]> } = {
  fills: {
    wide: 4,
    narrow: 6,
    write(f, w) {
      w.i32(0, f.id); w.i32(1, f.orderId); w.f64(0, f.time); w.i32(2, f.symbolIndex); w.text(3, f.symbol);
      w.i32(4, f.barIndex); w.text(5, f.side); w.f64(1, f.quantity); w.f64(2, f.price); w.f64(3, f.commission);
    },
    read: (r) => ({
      id: r.i32(0), orderId: r.i32(1), time: r.f64(0), symbolIndex: r.i32(2), symbol: r.text(3),
      barIndex: r.i32(4), side: r.text(5), quantity: r.f64(1), price: r.f64(2), commission: r.f64(3),
    }),
  },
  orders: {
    wide: 12,
    narrow: 13,
    write(o, w) {
      w.i32(0, o.id); w.f64(0, o.time); w.i32(1, o.symbolIndex); w.text(2, o.symbol); w.text(3, o.side); w.text(4, o.type);
      w.f64(1, o.quantity); w.f64OrNull(2, o.limitPrice); w.f64OrNull(3, o.stopPrice); w.text(5, o.timeInForce); w.text(6, o.tag);
      w.f64OrNull(8, o.trailAmount); w.f64OrNull(9, o.trailPercent); w.f64OrNull(10, o.parentId); w.text(11, o.ocoGroup);
      w.text(7, o.status); w.f64(4, o.filledQuantity); w.f64OrNull(5, o.averageFillPrice); w.text(8, o.reason); w.bool(9, o.triggered);
      w.f64(11, o.bestPrice); w.bool(12, o.held); w.i32(10, o.submittedStep); w.f64(6, o.expiresAt); w.f64(7, o.updatedAt);
    },
    read: (r) => ({
      id: r.i32(0), time: r.f64(0), symbolIndex: r.i32(1), symbol: r.text(2), side: r.text(3), type: r.text(4),
      quantity: r.f64(1), limitPrice: r.f64OrNull(2), stopPrice: r.f64OrNull(3), timeInForce: r.text(5), tag: r.textOrNull(6),
      trailAmount: r.f64OrNull(8), trailPercent: r.f64OrNull(9), parentId: r.f64OrNull(10), ocoGroup: r.textOrNull(11),
      status: r.text(7), filledQuantity: r.f64(4), averageFillPrice: r.f64OrNull(5), reason: r.textOrNull(8), triggered: r.bool(9),
      bestPrice: r.f64(11), held: r.bool(12), submittedStep: r.i32(10), expiresAt: r.f64(6), updatedAt: r.f64(7),
    }),
  },
  roundTrips: {
    wide: 7,
    narrow: 3,
    write(t, w) {
      w.text(0, t.symbol); w.text(1, t.side); w.f64(0, t.quantity); w.f64(1, t.entryTime); w.f64(2, t.exitTime);
      w.f64(3, t.entryPrice); w.f64(4, t.exitPrice); w.f64(5, t.pnl); w.f64(6, t.returnPct); w.i32(2, t.bars);
    },
    read: (r) => ({
      symbol: r.text(0), side: r.text(1), quantity: r.f64(0), entryTime: r.f64(1), exitTime: r.f64(2),
      entryPrice: r.f64(3), exitPrice: r.f64(4), pnl: r.f64(5), returnPct: r.f64(6), bars: r.i32(2),
    }),
  },
};

/** Bytes one item takes in a block of `kind`. */
export function bytesPerItem(kind: ResultKind): number {
  return CODECS[kind].wide * 8 + CODECS[kind].narrow * 4;
}

/**
 * Splits a whole list into blocks of BLOCK_ITEMS. Their bytes share one buffer: one allocation
 * instead of one per block (each large allocation counts towards V8's next full collection).
 */
export function encodeBlocks<K extends ResultKind>(kind: K, items: readonly ResultItemOf[K][]): ResultBlock[] {
  const size = (n: number) => align8(n * bytesPerItem(kind));
  let total = 0;
  for (let first = 0; first < items.length; first += BLOCK_ITEMS) total += size(Math.min(BLOCK_ITEMS, items.length - first));
  const buffer = new ArrayBuffer(total);
  const out: ResultBlock[] = [];
  for (let first = 0, at = 0; first < items.length; first += BLOCK_ITEMS) {
    const to = Math.min(items.length, first + BLOCK_ITEMS);
    out.push(encodeBlock(kind, items, first, to, { buffer, byteOffset: at }));
    at += size(to - first);
  }
  return out;
}

/**
 * Items [from, to) of `items` as one block, in a buffer of its own or at `into` (8-byte aligned).
 * Throws when an integer field does not fit 32 bits.
 */
export function encodeBlock<K extends ResultKind>(
  kind: K,
  items: readonly ResultItemOf[K][],
  from: number,
  to: number,
  into?: { readonly buffer: ArrayBuffer; readonly byteOffset: number },
): ResultBlock {
  const codec = CODECS[kind] as Codec<ResultItemOf[K]>;
  const n = to - from;
  const buffer = into?.buffer ?? new ArrayBuffer(n * bytesPerItem(kind));
  const at = into?.byteOffset ?? 0;
  const w = new ColumnWriter(n, new Float64Array(buffer, at, n * codec.wide), new Int32Array(buffer, at + n * codec.wide * 8, n * codec.narrow), `${kind} ${from}..${to}`);
  for (let i = 0; i < n; i++) {
    w.i = i;
    codec.write(items[from + i]!, w);
  }
  return { kind, firstSeq: from, count: n, format: BLOCK_FORMAT, dictionary: JSON.stringify(w.strings), bytes: new Uint8Array(buffer, at, n * bytesPerItem(kind)) };
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** The block with its bytes deflated (format 2), for storage; the bytes are a fresh buffer of their own (transferable). */
export function compressBlock(block: ResultBlock): ResultBlock {
  return compressBlocks([block])[0]!;
}

/** Blocks with their bytes deflated (format 2), for storage, all in one fresh (transferable) buffer. */
export function compressBlocks(blocks: readonly ResultBlock[]): ResultBlock[] {
  // Node's pooled Buffers must not be transferred: the deflated bytes are copied into a buffer of ours.
  const packed = blocks.map((b) => (b.format === BLOCK_FORMAT ? deflateRawSync(b.bytes, { level: 1 }) : b.bytes));
  const buffer = new ArrayBuffer(packed.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  return blocks.map((b, k) => {
    const bytes = new Uint8Array(buffer, at, packed[k]!.byteLength);
    bytes.set(packed[k]!);
    at += bytes.byteLength;
    return b.format === BLOCK_FORMAT ? { ...b, format: BLOCK_FORMAT_DEFLATE, bytes } : { ...b, bytes };
  });
}

/** Items [from, to) of a block (indexes within the block), as the engine's shapes. */
export function decodeBlock<K extends ResultKind>(
  block: Pick<ResultBlock, 'count' | 'format' | 'dictionary' | 'bytes'>,
  kind: K,
  from = 0,
  to = block.count,
): ResultItemOf[K][] {
  let raw: Uint8Array;
  if (block.format === BLOCK_FORMAT) raw = block.bytes;
  else if (block.format === BLOCK_FORMAT_DEFLATE) raw = inflateRawSync(block.bytes);
  else throw new Error(`result block format ${block.format} is not supported (expected ${BLOCK_FORMAT} or ${BLOCK_FORMAT_DEFLATE})`);
  const codec = CODECS[kind] as Codec<ResultItemOf[K]>;
  const n = block.count;
  if (raw.byteLength !== n * bytesPerItem(kind)) {
    throw new Error(`${kind} block of ${n} items holds ${raw.byteLength} bytes, expected ${n * bytesPerItem(kind)}`);
  }
  const bytes = aligned(raw);
  const r = new ColumnReader(
    n,
    new Float64Array(bytes.buffer, bytes.byteOffset, n * codec.wide),
    new Int32Array(bytes.buffer, bytes.byteOffset + n * codec.wide * 8, n * codec.narrow),
    JSON.parse(block.dictionary) as string[],
  );
  const out: ResultItemOf[K][] = [];
  for (let i = Math.max(0, from), hi = Math.min(n, to); i < hi; i++) {
    r.i = i;
    out.push(codec.read(r));
  }
  return out;
}

/** Typed-array views need 8-byte alignment; SQLite's blobs usually have it, a copy fixes the rest. */
function aligned(b: Uint8Array): Uint8Array {
  if (b.byteOffset % 8 === 0) return b;
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return copy;
}
