// The simulated nodes' state machine: a hash chain over every applied entry. Two replicas
// that applied the same sequence have the same (appliedIndex, hash), so a 16-byte image is
// enough to stand for the whole applied history in a Raft snapshot, and a snapshot restored
// from a corrupt or divergent image is caught by comparing it with the cluster's record.

import type { Entry } from '../../consensus/types.ts';
import { EntryType } from '../../consensus/types.ts';

export const STATE_MACHINE_IMAGE_BYTES = 16;
const INITIAL_HASH = 0x811c9dc5;

function mix(hash: number, value: number): number {
  hash = Math.imul(hash ^ (value >>> 0), 0x01000193) >>> 0;
  hash = Math.imul(hash ^ (Math.floor(value / 0x100000000) >>> 0), 0x01000193) >>> 0;
  return hash;
}

/** The chain's next link: the previous hash folded with the entry's position and bytes. */
export function chainHash(previous: number, entry: Entry): number {
  let hash = mix(mix(mix(previous, entry.index), entry.term), entry.type);
  const data = entry.data;
  for (let i = 0; i < data.length; i++) hash = Math.imul(hash ^ data[i]!, 0x01000193) >>> 0;
  return mix(hash, data.length);
}

export class HashChainStateMachine {
  appliedIndex = 0;
  hash = INITIAL_HASH;
  /** Non-empty Normal entries applied: the client payloads. */
  payloadCount = 0;

  apply(entry: Entry): void {
    this.hash = chainHash(this.hash, entry);
    this.appliedIndex = entry.index;
    if (entry.type === EntryType.Normal && entry.data.length > 0) this.payloadCount++;
  }

  /** [appliedIndex f64][hash u32][payloadCount u32], big-endian. */
  encode(): Uint8Array {
    const bytes = new Uint8Array(STATE_MACHINE_IMAGE_BYTES);
    const view = new DataView(bytes.buffer);
    view.setFloat64(0, this.appliedIndex);
    view.setUint32(8, this.hash);
    view.setUint32(12, this.payloadCount);
    return bytes;
  }

  /** Replaces the state with an image from encode(); an empty image is the initial state. */
  restore(image: Uint8Array): void {
    if (image.length === 0) {
      this.appliedIndex = 0;
      this.hash = INITIAL_HASH;
      this.payloadCount = 0;
      return;
    }
    if (image.length !== STATE_MACHINE_IMAGE_BYTES) {
      throw new Error(`a state machine image is ${STATE_MACHINE_IMAGE_BYTES} bytes, got ${image.length}`);
    }
    const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    this.appliedIndex = view.getFloat64(0);
    this.hash = view.getUint32(8);
    this.payloadCount = view.getUint32(12);
  }

  static initialHash(): number {
    return INITIAL_HASH;
  }
}
