// CRC32C (Castagnoli), table driven, for the model's snapshot stream. A shared
// storage-engine/crc32c.ts is being written on another branch; this copy lives here only
// to avoid a conflict and should be replaced by that one when both are on main.

const POLYNOMIAL_REFLECTED = 0x82f63b78;

const table = (() => {
  const entries = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL_REFLECTED : crc >>> 1;
    entries[byte] = crc >>> 0;
  }
  return entries;
})();

/**
 * Extends a running CRC32C with `bytes`. Start from 0; the result of one call is the
 * `crc` of the next, so a stream can be checksummed chunk by chunk.
 */
export function crc32cUpdate(crc: number, bytes: Uint8Array): number {
  let state = ~crc >>> 0;
  for (let offset = 0; offset < bytes.length; offset++) {
    state = table[(state ^ bytes[offset]!) & 0xff]! ^ (state >>> 8);
  }
  return ~state >>> 0;
}

export function crc32c(bytes: Uint8Array): number {
  return crc32cUpdate(0, bytes);
}
