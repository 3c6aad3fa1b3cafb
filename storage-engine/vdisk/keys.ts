// The key layout of vDisk blocks (DESIGN.md "vDisks"). Three key families share one database:
//
//   block key:  'b' ‖ vdiskId u32 BE ‖ blockIndex u64 BE ‖ epoch u32 BE   → one block version
//   change key: 'c' ‖ vdiskId u32 BE ‖ epoch u32 BE ‖ blockIndex u64 BE   → empty value
//   intent key: 'r' ‖ vdiskId u32 BE → a rollback under way (rollback.ts)
//
// Big-endian fields make byte order equal numeric order, so all versions of one block are
// adjacent and sorted by epoch: the version a read at epoch e needs is the last key ≤
// (vdisk, block, e), one reverse seek. A snapshot only closes an epoch and touches no key,
// which is what makes it O(1). The change keys are the same facts ordered by epoch first, so
// the blocks written in epochs (from, to] are one contiguous range: a diff reads only what
// changed, never the whole disk. Being epoch-major, the change index is not sorted by block
// across epochs: a diff paged by block merges one run per epoch (change-index.ts).
//
// Every family starts with its prefix and the vDisk id, so everything a vDisk stores is
// three contiguous ranges: purge deletes them and vdiskIds() skips from one id to the next.

export const BLOCK_BYTES = 4096;
/** 16 TiB / 4 KiB: the most blocks a vDisk can have; indexes need more than 32 bits. */
export const VDISK_BLOCKS_MAX = 2 ** 32;
export const VDISK_BYTES_MAX = VDISK_BLOCKS_MAX * BLOCK_BYTES;
export const VDISK_ID_MAX = 0xffffffff;
/** One below u32 max, so that "epoch + 1" is always a valid exclusive range bound. */
export const EPOCH_MAX = 0xfffffffe;

const BLOCK_PREFIX = 0x62; // 'b'
const CHANGE_PREFIX = 0x63; // 'c'
const INTENT_PREFIX = 0x72; // 'r'
export const VDISK_KEY_PREFIXES = [BLOCK_PREFIX, CHANGE_PREFIX, INTENT_PREFIX] as const;
export const BLOCK_KEY_BYTES = 1 + 4 + 8 + 4;
export const CHANGE_KEY_BYTES = 1 + 4 + 4 + 8;
export const INTENT_KEY_BYTES = 1 + 4;
/** A key of its own, outside both families, that flush() rewrites with sync. */
export const FLUSH_MARKER_KEY = Uint8Array.of(0x66); // 'f'

export interface BlockKeyFields {
  vdiskId: number;
  blockIndex: number;
  epoch: number;
}

export interface KeyBounds {
  gte: Uint8Array;
  lt: Uint8Array;
}

function writeUint64(view: DataView, byteOffset: number, value: number): void {
  view.setUint32(byteOffset, Math.floor(value / 0x100000000));
  view.setUint32(byteOffset + 4, value >>> 0);
}

function readUint64(view: DataView, byteOffset: number): number {
  return view.getUint32(byteOffset) * 0x100000000 + view.getUint32(byteOffset + 4);
}

export function blockKey(vdiskId: number, blockIndex: number, epoch: number): Uint8Array {
  const key = new Uint8Array(BLOCK_KEY_BYTES);
  const view = new DataView(key.buffer);
  key[0] = BLOCK_PREFIX;
  view.setUint32(1, vdiskId);
  writeUint64(view, 5, blockIndex);
  view.setUint32(13, epoch);
  return key;
}

/** Undefined when `key` is not a block key (another family shares the database). */
export function decodeBlockKey(key: Uint8Array): BlockKeyFields | undefined {
  if (key.length !== BLOCK_KEY_BYTES || key[0] !== BLOCK_PREFIX) return undefined;
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  return { vdiskId: view.getUint32(1), blockIndex: readUint64(view, 5), epoch: view.getUint32(13) };
}

export function changeKey(vdiskId: number, epoch: number, blockIndex: number): Uint8Array {
  const key = new Uint8Array(CHANGE_KEY_BYTES);
  const view = new DataView(key.buffer);
  key[0] = CHANGE_PREFIX;
  view.setUint32(1, vdiskId);
  view.setUint32(5, epoch);
  writeUint64(view, 9, blockIndex);
  return key;
}

export function decodeChangeKey(key: Uint8Array): BlockKeyFields | undefined {
  if (key.length !== CHANGE_KEY_BYTES || key[0] !== CHANGE_PREFIX) return undefined;
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  return { vdiskId: view.getUint32(1), epoch: view.getUint32(5), blockIndex: readUint64(view, 9) };
}

/** Every version of one block with epoch ≤ epochMax. */
export function blockVersionsBounds(vdiskId: number, blockIndex: number, epochMax: number): KeyBounds {
  return { gte: blockKey(vdiskId, blockIndex, 0), lt: blockKey(vdiskId, blockIndex, epochMax + 1) };
}

/** Every version of blocks [firstBlockIndex, endBlockIndex) of one vDisk. */
export function blocksBounds(vdiskId: number, firstBlockIndex: number, endBlockIndex: number): KeyBounds {
  return { gte: blockKey(vdiskId, firstBlockIndex, 0), lt: blockKey(vdiskId, endBlockIndex, 0) };
}

/** The change keys of epochs (fromEpoch, toEpoch]. */
export function changesBounds(vdiskId: number, fromEpoch: number, toEpoch: number): KeyBounds {
  return { gte: changeKey(vdiskId, fromEpoch + 1, 0), lt: changeKey(vdiskId, toEpoch + 1, 0) };
}

/** The change keys of epochs [0, epochEnd). */
export function changesBeforeBounds(vdiskId: number, epochEnd: number): KeyBounds {
  return { gte: changeKey(vdiskId, 0, 0), lt: changeKey(vdiskId, epochEnd, 0) };
}

export function rollbackIntentKey(vdiskId: number): Uint8Array {
  const key = new Uint8Array(INTENT_KEY_BYTES);
  key[0] = INTENT_PREFIX;
  new DataView(key.buffer).setUint32(1, vdiskId);
  return key;
}

/** Every rollback intent key, of all vDisks. */
export function rollbackIntentsBounds(): KeyBounds {
  return { gte: Uint8Array.of(INTENT_PREFIX), lt: Uint8Array.of(INTENT_PREFIX + 1) };
}

/** The vDisk id of any key of the three families (they all put it at bytes 1..4). */
export function vdiskIdOfKey(key: Uint8Array): number {
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(1);
}

/** Every key of one family for vDisks with ids ≥ firstVDiskId. */
export function familyBoundsFrom(prefix: number, firstVDiskId: number): KeyBounds {
  const gte = new Uint8Array(5);
  gte[0] = prefix;
  new DataView(gte.buffer).setUint32(1, firstVDiskId);
  return { gte, lt: Uint8Array.of(prefix + 1) };
}

/** Every key of one family that belongs to one vDisk. */
export function familyBoundsOf(prefix: number, vdiskId: number): KeyBounds {
  const { gte } = familyBoundsFrom(prefix, vdiskId);
  return { gte, lt: vdiskId === VDISK_ID_MAX ? Uint8Array.of(prefix + 1) : familyBoundsFrom(prefix, vdiskId + 1).gte };
}
