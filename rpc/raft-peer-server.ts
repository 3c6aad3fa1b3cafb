// The receiving side of the gRPC part of the peer protocol: the RaftPeer service, which
// takes Raft snapshots (Raft messages arrive on the peer port instead: rpc/peer-frame.ts,
// daemon/peer-listener.ts). It reassembles and checks what a peer sends and hands it to the
// local Raft loop; this module only guarantees that what reaches the loop is whole, well
// formed, from this cluster and for this member.
//
// Coded errors (a malformed stream, another cluster's snapshot, a corrupted chunk) end the
// call with their status, and the sender reports the snapshot as failed. Any other
// exception is a bug and is not caught: DESIGN.md wants the process to stop rather than
// serve.
import type { sendUnaryData } from '@grpc/grpc-js';
import type { Message } from '../consensus/index.ts';
import type { RaftPeerHandlers } from '../proto/gen/vstor/internal/RaftPeer.ts';
import { isVstorError, toErrorStatus } from './errors.ts';
import { checkBatchRecipient } from './raft-codec.ts';
import type { RaftSnapshotLimits } from './raft-snapshot-stream.ts';
import { RaftSnapshotAssembler } from './raft-snapshot-stream.ts';

export interface RaftPeerReceiver {
  clusterId: string;
  memberId: number;
  snapshotLimits: RaftSnapshotLimits;
  /** The messages of one batch, all from one peer and for this member, in order (from the
   * peer port's listener, daemon/peer-listener.ts). */
  receiveMessages(messages: Message[]): void;
  /** A whole, checked MsgSnap. The sender learns of success once this resolves. */
  receiveSnapshot(message: Message): void | Promise<void>;
}

/** Ends a call with `error`'s status if it is a coded error; rethrows anything else. */
function failWith<T>(callback: sendUnaryData<T>, error: unknown): void {
  if (!isVstorError(error)) throw error;
  callback(toErrorStatus(error));
}

export function raftPeerHandlers(receiver: RaftPeerReceiver): RaftPeerHandlers {
  return {
    SendSnapshot(call, callback) {
      const assembler = new RaftSnapshotAssembler(receiver.snapshotLimits);
      let failed = false;
      call.on('data', (chunk: unknown) => {
        if (failed) return;
        try {
          assembler.push(chunk);
        } catch (error) {
          failed = true;
          failWith(callback, error);
        }
      });
      call.on('end', () => {
        if (failed) return;
        let message: Message;
        try {
          const received = assembler.finish();
          checkBatchRecipient({ clusterId: received.clusterId, messages: [received.message] }, receiver.clusterId, receiver.memberId);
          message = received.message;
        } catch (error) {
          failWith(callback, error);
          return;
        }
        // A rejection that is not a coded error is rethrown and left unhandled, which stops
        // the process (Node's default), as a bug should.
        void Promise.resolve(receiver.receiveSnapshot(message)).then(
          () => callback(null, { bytesReceived: assembler.bytesReceived }),
          (error: unknown) => failWith(callback, error),
        );
      });
    },
  };
}
