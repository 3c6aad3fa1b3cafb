// Who the members are and where to reach them. Raft knows members only by number (its
// ConfState); their names and addresses live here. The founding members come from
// cluster.yaml; a member added later is recorded in the model itself, under a reserved key
// prefix, by the leader before it proposes the configuration change, so that every member
// (and a restarted one) resolves the same addresses. User writes may not touch the prefix.
//
// A record written before members had a `peer` address has none. Such a member's peer
// address is then taken from cluster.yaml if the file lists it (by raftId); if not, it is
// unknown, and the transport drops Raft messages to it with a warning that says how to fix
// it (docs/operations.md, "Upgrading").

import type { ConfState } from '../consensus/index.ts';
import type { KvStateMachine } from '../storage-engine/model/index.ts';
import { compareBytes, prefixEnd } from '../storage-engine/model/index.ts';
import type { MemberAddresses, MemberInfo } from '../rpc/node-api.ts';
import type { NodeConfig } from './config.ts';
import { formatHostPort } from './config.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Keys the system reserves for itself; the 0x00 byte keeps them out of the way of user keys. */
export const SYSTEM_PREFIX = encoder.encode('\u0000vstor/');
export const MEMBER_PREFIX = encoder.encode('\u0000vstor/members/');

export function memberKey(raftId: number): Uint8Array {
  return encoder.encode(`\u0000vstor/members/${String(raftId).padStart(12, '0')}`);
}

export interface MemberRecord extends MemberAddresses {
  name: string;
  raftId: number;
}

export function encodeMemberRecord(record: MemberRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

/** True when [key, rangeEnd) touches the system prefix. An empty rangeEnd means the key alone;
 * a rangeEnd of [0] means every key from `key` on. */
export function touchesSystemKeys(key: Uint8Array, rangeEnd?: Uint8Array): boolean {
  if (rangeEnd === undefined || rangeEnd.length === 0) return isSystemKey(key);
  const startsBefore = compareBytes(key, prefixEnd(SYSTEM_PREFIX)) < 0;
  const unbounded = rangeEnd.length === 1 && rangeEnd[0] === 0;
  const endsAfter = unbounded || compareBytes(rangeEnd, SYSTEM_PREFIX) > 0;
  return startsBefore && endsAfter;
}

/** The part of [key, rangeEnd) under the system prefix (rangeEnd as touchesSystemKeys reads it). */
export function systemPartOf(key: Uint8Array, rangeEnd?: Uint8Array): { key: Uint8Array; rangeEnd?: Uint8Array } {
  if (rangeEnd === undefined || rangeEnd.length === 0) return { key };
  const systemEnd = prefixEnd(SYSTEM_PREFIX);
  const unbounded = rangeEnd.length === 1 && rangeEnd[0] === 0;
  return {
    key: compareBytes(key, SYSTEM_PREFIX) > 0 ? key : SYSTEM_PREFIX,
    rangeEnd: unbounded || compareBytes(rangeEnd, systemEnd) > 0 ? systemEnd : rangeEnd,
  };
}

/** True for a key under the system prefix. */
export function isSystemKey(key: Uint8Array): boolean {
  return key.length >= SYSTEM_PREFIX.length && SYSTEM_PREFIX.every((byte, i) => key[i] === byte);
}

export class MemberTable {
  private readonly founders = new Map<number, MemberRecord>();
  private readonly added = new Map<number, MemberRecord>();

  constructor(nodes: readonly NodeConfig[]) {
    for (const node of nodes) {
      this.founders.set(node.raftId, {
        name: node.id, raftId: node.raftId,
        grpc: formatHostPort(node.grpc), peer: formatHostPort(node.peer), admin: formatHostPort(node.admin), nbd: formatHostPort(node.nbd),
      });
    }
  }

  /** Reloads the members recorded in the model (after start, a snapshot or a change). */
  async refresh(model: KvStateMachine): Promise<void> {
    const { kvs } = await model.range({ key: MEMBER_PREFIX, rangeEnd: prefixEnd(MEMBER_PREFIX) });
    this.added.clear();
    for (const kv of kvs) {
      const record = JSON.parse(decoder.decode(kv.value)) as Partial<MemberRecord> & Omit<MemberRecord, 'peer'>;
      this.added.set(record.raftId, { ...record, peer: typeof record.peer === 'string' ? record.peer : '' });
    }
  }

  record(raftId: number): MemberRecord | undefined {
    return this.added.get(raftId) ?? this.founders.get(raftId);
  }

  byName(name: string): MemberRecord | undefined {
    for (const record of [...this.added.values(), ...this.founders.values()]) if (record.name === name) return record;
    return undefined;
  }

  grpcAddress(raftId: number): string | undefined {
    return this.record(raftId)?.grpc;
  }

  /** Where the member takes Raft messages: its record's address, else cluster.yaml's for
   * its raftId (a record from before the peer port has none), else undefined. */
  peerAddress(raftId: number): string | undefined {
    const recorded = this.added.get(raftId)?.peer;
    if (recorded !== undefined && recorded !== '') return recorded;
    return this.founders.get(raftId)?.peer;
  }

  /** The members of `confState`, with their names and addresses where known. */
  list(confState: ConfState): MemberInfo[] {
    const describe = (raftId: number, voter: boolean): MemberInfo => {
      const record = this.record(raftId);
      return {
        name: record?.name ?? `raft-${raftId}`, raftId, voter,
        grpc: record?.grpc ?? '', peer: this.peerAddress(raftId) ?? '', admin: record?.admin ?? '', nbd: record?.nbd ?? '',
      };
    };
    const voters = new Set([...confState.voters, ...confState.votersOutgoing]);
    return [
      ...[...voters].sort((a, b) => a - b).map((id) => describe(id, true)),
      ...[...confState.learners, ...confState.learnersNext].sort((a, b) => a - b).map((id) => describe(id, false)),
    ];
  }
}
