// The receiving side of the peer protocol: handlers for the RaftPeer service that decode
// and check what a peer sends and hand it to the local Raft loop. What the loop does with
// it (queue, step, drop when full; Raft tolerates lost messages) is the receiver's
// business; this module only guarantees that what reaches it is well formed, from this
// cluster and for this member.
//
// Coded errors (a malformed batch, another cluster's message, a corrupted snapshot chunk)
// end the call with their status, and the sender reconnects or reports the snapshot as
// failed. Any other exception is a bug and is not caught: DESIGN.md wants the process to
// stop rather than serve.
import type { sendUnaryData } from '@grpc/grpc-js';
import type { Message } from '../consensus/index.ts';
import type { RaftPeerHandlers } from '../proto/gen/vstor/internal/RaftPeer.ts';
import { isVstorError, toErrorStatus } from './errors.ts';
import { checkBatchRecipient, decodeMessageBatch } from './raft-codec.ts';
import type { RaftSnapshotLimits } from './raft-snapshot-stream.ts';
import { RaftSnapshotAssembler } from './raft-snapshot-stream.ts';

export interface RaftPeerReceiver {
  clusterId: string;
  memberId: number;
  snapshotLimits: RaftSnapshotLimits;
  /** The messages of one batch, all from one peer and for this member, in order. */
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
    Send(call, callback) {
      let batchesReceived = 0;
      let messagesReceived = 0;
      let failed = false;
      call.on('data', (batch: unknown) => {
        if (failed) return;
        try {
          const decoded = decodeMessageBatch(batch);
          checkBatchRecipient(decoded, receiver.clusterId, receiver.memberId);
          batchesReceived++;
          messagesReceived += decoded.messages.length;
          if (decoded.messages.length > 0) receiver.receiveMessages(decoded.messages);
        } catch (error) {
          failed = true;
          failWith(callback, error);
        }
      });
      call.on('end', () => {
        if (!failed) callback(null, { batchesReceived, messagesReceived });
      });
    },

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
