// The NBD server's limits (DESIGN.md "Limits": everything bounded, the unit last). Memory
// per connection is bounded by the transmission decoder's buffer (about requestBytesMax)
// plus inflightBytesMax of payloads held by running requests; the whole server by
// connectionsMax times that.
import { VstorError } from '../../storage-engine/errors.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface NbdLimits {
  /** Connections open at once; more are closed on accept. */
  connectionsMax: number;
  /** The largest READ or WRITE payload, advertised as the maximum block size. */
  requestBytesMax: number;
  /** Requests of one connection running at once; beyond it the socket is not read. */
  inflightRequestsMax: number;
  /** READ and WRITE payload bytes of one connection held at once (at least requestBytesMax). */
  inflightBytesMax: number;
  /** The longest range one BLOCK_STATUS reply describes; longer requests get a shorter answer. */
  blockStatusBytesMax: number;
  /** Time from accept to the end of negotiation; a client slower than this is dropped. */
  handshakeTimeoutMs: number;
  /** How long close() lets connections finish what is in flight before destroying them. */
  closeWaitMs: number;
}

export const DEFAULT_NBD_LIMITS: NbdLimits = {
  connectionsMax: 32,
  requestBytesMax: 32 * MiB,
  inflightRequestsMax: 64,
  inflightBytesMax: 64 * MiB,
  blockStatusBytesMax: 1024 * MiB,
  handshakeTimeoutMs: 10_000,
  closeWaitMs: 5_000,
};

/** The NBD spec's preferred block size, which the block store's blocks match. */
export const PREFERRED_BLOCK_BYTES = 4 * KiB;
/** The spec asks servers to accept payloads up to 32 MiB and not to need more. */
export const REQUEST_BYTES_LIMIT = 32 * MiB;

/** Defaults filled in and every value checked; throws INVALID_ARGUMENT naming the field. */
export function resolveLimits(partial: Partial<NbdLimits> = {}): NbdLimits {
  const limits: NbdLimits = { ...DEFAULT_NBD_LIMITS, ...stripUndefined(partial) };
  const range = (name: keyof NbdLimits, minimum: number, maximum: number): void => {
    const value = limits[name];
    if (!Number.isSafeInteger(value) || value < minimum || value > maximum) {
      throw new VstorError('INVALID_ARGUMENT', `nbd ${name} must be an integer in [${minimum}, ${maximum}], got ${value}`);
    }
  };
  range('connectionsMax', 1, 65_536);
  range('requestBytesMax', PREFERRED_BLOCK_BYTES, REQUEST_BYTES_LIMIT);
  range('inflightRequestsMax', 1, 4096);
  range('inflightBytesMax', limits.requestBytesMax, 1024 * MiB);
  // A BLOCK_STATUS length is a u32; a clamp must keep whole preferred blocks.
  range('blockStatusBytesMax', PREFERRED_BLOCK_BYTES, 0xffffffff - PREFERRED_BLOCK_BYTES + 1);
  if (limits.blockStatusBytesMax % PREFERRED_BLOCK_BYTES !== 0) {
    throw new VstorError('INVALID_ARGUMENT', `nbd blockStatusBytesMax must be a multiple of ${PREFERRED_BLOCK_BYTES}, got ${limits.blockStatusBytesMax}`);
  }
  range('handshakeTimeoutMs', 1, 600_000);
  range('closeWaitMs', 0, 600_000);
  return limits;
}

function stripUndefined(partial: Partial<NbdLimits>): Partial<NbdLimits> {
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<NbdLimits>;
}
