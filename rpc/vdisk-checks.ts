// What a vDisk request may contain, checked once at the edge (STYLE.md 4): names of vDisks
// and snapshots, sizes, and byte ranges against the request limits. The daemon checks
// ranges against the vDisk's actual size where it knows it (the owner); everything here
// needs no state, so a bad request is refused by whichever member it reaches, before it
// travels or touches anything.
import { VstorError } from './errors.ts';

/** The longest name of a vDisk or snapshot, in characters (all ASCII). */
export const VDISK_NAME_LENGTH_MAX = 64;
/** Sizes are whole sectors: what NBD clients and hypervisors expect. */
export const VDISK_SIZE_ALIGNMENT_BYTES = 512;
/** The smallest vDisk: one block. */
export const VDISK_SIZE_BYTES_MIN = 4096;
/**
 * The longest trim, write-zeroes or allocation map of one call. No payload travels, but each
 * builds one batch or one map, so it is bounded: 1 GiB is 262,144 blocks. Longer ranges
 * are split by the caller (the NBD export does).
 */
export const VDISK_RANGE_BYTES_MAX = 1 << 30;
/** The most diff ranges in one page, and the default. */
export const DIFF_RANGES_MAX = 65_536;
export const DIFF_RANGES_DEFAULT = 4096;
/**
 * Room for a Write request's fields around its data (name, offset, flags, framing): the
 * VDisks service accepts requests of requestBytesMax plus this, so that a write of
 * requestBytesMax bytes, the engine's limit, fits.
 */
export const VDISK_REQUEST_OVERHEAD_BYTES = 4096;

const namePattern = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

function invalid(field: string, problem: string): VstorError {
  return new VstorError('INVALID_ARGUMENT', `${field}: ${problem}`);
}

/** The reason `name` is not a valid vDisk or snapshot name, or undefined if it is. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'must be set';
  if (name.length > VDISK_NAME_LENGTH_MAX) return `must be at most ${VDISK_NAME_LENGTH_MAX} characters, got ${name.length}`;
  if (name.includes('@')) return `${JSON.stringify(name)} contains "@", which separates a vDisk from its snapshot in export names`;
  if (!namePattern.test(name)) return `${JSON.stringify(name)} must be letters, digits, ".", "_" and "-", not starting with "." or "-"`;
  return undefined;
}

/** Throws INVALID_ARGUMENT naming `field` unless `name` is a valid vDisk or snapshot name. */
export function checkName(field: string, name: unknown): string {
  const problem = nameProblem(name);
  if (problem !== undefined) throw invalid(field, problem);
  return name as string;
}

/** An optional snapshot name: empty means none. */
export function checkOptionalName(field: string, name: unknown): string | undefined {
  return name === undefined || name === '' ? undefined : checkName(field, name);
}

/** Throws INVALID_ARGUMENT unless `size` is a valid vDisk size under `vdiskBytesMax`. */
export function checkSize(field: string, size: unknown, vdiskBytesMax: number): number {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(field, `must be a non-negative integer below 2^53, got ${String(size)}`);
  if (size < VDISK_SIZE_BYTES_MIN) throw invalid(field, `must be at least ${VDISK_SIZE_BYTES_MIN} bytes, got ${size}`);
  if (size % VDISK_SIZE_ALIGNMENT_BYTES !== 0) throw invalid(field, `must be a multiple of ${VDISK_SIZE_ALIGNMENT_BYTES} bytes, got ${size}`);
  if (size > vdiskBytesMax) throw invalid(field, `${size} bytes exceeds vdiskBytesMax (${vdiskBytesMax} bytes)`);
  return size;
}

/** A byte offset and length, the length at most `lengthBytesMax` (named by `limitName`). */
export function checkByteRange(offsetBytes: unknown, lengthBytes: unknown, lengthBytesMax: number, limitName: string): { offsetBytes: number; lengthBytes: number } {
  if (typeof offsetBytes !== 'number' || !Number.isSafeInteger(offsetBytes) || offsetBytes < 0) {
    throw invalid('offset_bytes', `must be a non-negative integer below 2^53, got ${String(offsetBytes)}`);
  }
  if (typeof lengthBytes !== 'number' || !Number.isSafeInteger(lengthBytes) || lengthBytes < 0) {
    throw invalid('length_bytes', `must be a non-negative integer below 2^53, got ${String(lengthBytes)}`);
  }
  if (lengthBytes > lengthBytesMax) throw invalid('length_bytes', `${lengthBytes} bytes exceeds ${limitName} (${lengthBytesMax} bytes)`);
  return { offsetBytes, lengthBytes };
}

/** OUT_OF_RANGE unless [offsetBytes, offsetBytes + lengthBytes) lies within `sizeBytes`. */
export function checkWithinSize(what: string, offsetBytes: number, lengthBytes: number, sizeBytes: number): void {
  if (offsetBytes + lengthBytes > sizeBytes) {
    throw new VstorError('OUT_OF_RANGE', `${what} [${offsetBytes}, ${offsetBytes + lengthBytes}) reaches past the end of ${sizeBytes} bytes`);
  }
}

/** An export name: `NAME` is a vDisk, `NAME@SNAP` one of its snapshots (read-only). */
export function parseExportName(exportName: string): { vdisk: string; snapshot?: string } {
  const at = exportName.indexOf('@');
  if (at < 0) return { vdisk: checkName('export name', exportName) };
  const vdisk = checkName('export name', exportName.slice(0, at));
  const snapshot = checkName('export name snapshot', exportName.slice(at + 1));
  return { vdisk, snapshot };
}
