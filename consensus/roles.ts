// What each role does with a message once the term rules in Raft.step have passed it on.
// These are the functions Raft swaps in as `stepRole` (etcd's stepLeader, stepCandidate,
// stepFollower).

import { decodeConfChange } from './confchange.ts';
import { assert, RaftError } from './errors.ts';
import type { Raft } from './raft.ts';
import type { Message } from './types.ts';
import { EntryType, MessageType, NONE, StateType } from './types.ts';

/** Pending ReadIndex requests a leader holds before refusing more. */
export const READ_INDEX_PENDING_MAX = 4096;

function dropped(reason: string): never {
  throw new RaftError('PROPOSAL_DROPPED', reason);
}

export function stepLeader(r: Raft, m: Message): void {
  // Messages that need no progress of the sender.
  switch (m.type) {
    case MessageType.Beat:
      r.bcastHeartbeat();
      return;
    case MessageType.CheckQuorum:
      if (!r.tracker.quorumActive(r.id)) {
        r.logger.warn('stepping down: no quorum heard from within the election timeout', { id: r.id, term: r.term });
        r.becomeFollower(r.term, NONE);
      }
      // Everyone but us must prove themselves active again in the next timeout.
      for (const [id, progress] of r.tracker.progress) if (id !== r.id) progress.recentActive = false;
      return;
    case MessageType.Prop:
      proposeAsLeader(r, m);
      return;
    case MessageType.ReadIndex:
      if (r.tracker.isSingleton()) {
        r.respondToReadIndex(m, r.log.committed);
        return;
      }
      // Until an entry of this term commits, this leader's commit index may lag what a
      // previous leader committed: reads wait for it (Raft thesis §6.4).
      if (!r.committedEntryInCurrentTerm()) {
        if (r.pendingReadIndexMessages.length >= READ_INDEX_PENDING_MAX) dropped('too many ReadIndex requests pending');
        r.pendingReadIndexMessages.push(m);
        return;
      }
      if (r.readOnly.pendingCount() >= READ_INDEX_PENDING_MAX) dropped('too many ReadIndex requests pending');
      r.sendReadIndexResponse(m);
      return;
  }

  const progress = r.tracker.progress.get(m.from);
  if (progress === undefined) {
    r.logger.debug('no progress for the sender', { id: r.id, from: m.from, type: m.type });
    return;
  }
  switch (m.type) {
    case MessageType.AppResp: {
      progress.recentActive = true;
      if (m.reject) {
        let nextProbeIndex = m.rejectHint;
        if (m.logTerm > 0) nextProbeIndex = r.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
        if (progress.maybeDecreaseTo(m.index, nextProbeIndex)) {
          if (progress.state === 'replicate') progress.becomeProbe();
          r.sendAppend(m.from);
        }
        return;
      }
      if (!(progress.maybeUpdate(m.index) || (progress.match === m.index && progress.state === 'probe'))) return;
      if (progress.state === 'probe') {
        progress.becomeReplicate();
      } else if (progress.state === 'snapshot' && progress.match + 1 >= r.log.firstIndex()) {
        // The follower caught up past the snapshot (or the log it needs is available
        // again): replicate normally.
        progress.becomeProbe();
        progress.becomeReplicate();
      } else if (progress.state === 'replicate') {
        progress.inflights.freeLessOrEqual(m.index);
      }
      if (r.maybeCommit()) {
        r.releasePendingReadIndexMessages();
        r.bcastAppend();
      } else if (m.from !== r.id && r.log.committed > progress.sentCommit && progress.sentCommit < progress.next - 1) {
        // The follower may not know the latest commit index; tell it now rather than at
        // the next heartbeat.
        r.sendAppend(m.from);
      }
      if (m.from !== r.id) {
        // Fill the pipeline: the window may have opened for several messages.
        while (r.maybeSendAppend(m.from, false)) { /* send until paused or caught up */ }
      }
      if (m.from === r.leadTransferee && progress.match === r.log.lastIndex()) {
        r.logger.info('transfer target caught up; sending TimeoutNow', { id: r.id, to: m.from });
        r.sendTimeoutNow(m.from);
      }
      return;
    }
    case MessageType.HeartbeatResp: {
      progress.recentActive = true;
      progress.sendPaused = false;
      // Also sends an empty append to a throttled follower, so that a window filled with
      // lost messages recovers, and moves a caught-up prober back to replicate.
      if (progress.match < r.log.lastIndex() || progress.state === 'probe') r.sendAppend(m.from);
      // Acknowledgements matter in safe mode, and in lease mode when a read fell back to it.
      if (m.context.length === 0) return;
      const released = r.readOnly.receiveAck(m.from, m.context, (acks) => {
        const votes = new Map<number, boolean>();
        for (const id of acks) votes.set(id, true);
        return r.tracker.voteResult(votes) === 'won';
      });
      for (const read of released) r.respondToReadIndex(read.request, read.index);
      return;
    }
    case MessageType.SnapStatus:
      if (progress.state !== 'snapshot') return;
      if (m.reject) progress.pendingSnapshot = 0;
      progress.becomeProbe();
      // After a snapshot, wait for the follower's append response before sending more;
      // after a failure, wait for a heartbeat response before retrying.
      progress.sendPaused = true;
      return;
    case MessageType.Unreachable:
      // Optimistic pipelining to an unreachable follower would only lose messages.
      if (progress.state === 'replicate') progress.becomeProbe();
      return;
    case MessageType.TransferLeader: {
      if (progress.isLearner) {
        r.logger.info('ignoring leadership transfer to a learner', { to: m.from });
        return;
      }
      const transferee = m.from;
      if (r.leadTransferee !== NONE) {
        if (r.leadTransferee === transferee) return;
        r.abortLeaderTransfer();
      }
      if (transferee === r.id) return;
      // The transfer must finish within an election timeout.
      r.electionElapsed = 0;
      r.leadTransferee = transferee;
      if (progress.match === r.log.lastIndex()) r.sendTimeoutNow(transferee);
      else r.sendAppend(transferee);
      return;
    }
  }
}

function proposeAsLeader(r: Raft, m: Message): void {
  assert(m.entries.length > 0, 'empty proposal');
  if (!r.tracker.progress.has(r.id)) dropped('this leader was removed from the configuration');
  if (r.leadTransferee !== NONE) dropped(`leadership is being transferred to ${r.leadTransferee}`);
  let confChangeOffset = -1;
  for (let i = 0; i < m.entries.length; i++) {
    const entry = m.entries[i]!;
    if (entry.type !== EntryType.ConfChange) continue;
    if (confChangeOffset >= 0) dropped('only one configuration change per proposal');
    r.checkConfChangeProposal(decodeConfChange(entry.data));
    confChangeOffset = i;
  }
  const lastIndex = r.log.lastIndex();
  if (!r.appendEntry(m.entries)) dropped('too many uncommitted bytes; retry when the log catches up');
  if (confChangeOffset >= 0) r.pendingConfIndex = lastIndex + 1 + confChangeOffset;
  r.bcastAppend();
}

/** Candidates and pre-candidates. */
export function stepCandidate(r: Raft, m: Message): void {
  // Responses to the kind of vote we asked for; responses to the other kind are stale.
  const ourVoteResponse = r.state === StateType.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
  switch (m.type) {
    case MessageType.Prop:
      dropped(`no leader at term ${r.term}: an election is in progress`);
      break;
    case MessageType.ReadIndex:
      dropped(`no leader at term ${r.term}: an election is in progress`);
      break;
    case MessageType.App:
      r.becomeFollower(m.term, m.from);
      r.handleAppendEntries(m);
      return;
    case MessageType.Heartbeat:
      r.becomeFollower(m.term, m.from);
      r.handleHeartbeat(m);
      return;
    case MessageType.Snap:
      r.becomeFollower(m.term, m.from);
      r.handleSnapshot(m);
      return;
    case ourVoteResponse: {
      const { result } = r.poll(m.from, !m.reject);
      if (result === 'won') {
        if (r.state === StateType.PreCandidate) {
          r.campaign('election');
        } else {
          r.becomeLeader();
          r.bcastAppend();
        }
      } else if (result === 'lost') {
        // A rejection of a pre-vote carries the term of the rejecting node, which may be ours.
        r.becomeFollower(r.term, NONE);
      }
      return;
    }
    case MessageType.TimeoutNow:
      r.logger.debug('ignoring TimeoutNow as a candidate', { id: r.id, term: r.term });
      return;
  }
}

/** Sends a copy of `m` to the leader (the caller's message is not ours to change), or
 * refuses it at once when no leader is known. */
function forwardToLeader(r: Raft, m: Message, what: string): void {
  if (r.lead === NONE) dropped(`no leader at term ${r.term} to ${what}`);
  r.send({ ...m, to: r.lead });
}

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case MessageType.Prop:
      if (r.disableProposalForwarding && r.lead !== NONE) dropped('proposal forwarding is disabled');
      forwardToLeader(r, m, 'take the proposal');
      return;
    case MessageType.App:
    case MessageType.Heartbeat:
    case MessageType.Snap:
      // Only the leader of this term sends these: it is heard from, so the election clock restarts.
      r.electionElapsed = 0;
      r.lead = m.from;
      if (m.type === MessageType.App) r.handleAppendEntries(m);
      else if (m.type === MessageType.Heartbeat) r.handleHeartbeat(m);
      else r.handleSnapshot(m);
      return;
    case MessageType.TransferLeader:
      forwardToLeader(r, m, 'transfer leadership from');
      return;
    case MessageType.TimeoutNow:
      // The leader chose us: campaign at once, skipping pre-vote and the leader lease.
      r.logger.info('received TimeoutNow; campaigning for the leadership transfer', { id: r.id, term: r.term });
      r.hup('transfer');
      return;
    case MessageType.ReadIndex:
      forwardToLeader(r, m, 'serve a read');
      return;
    case MessageType.ReadIndexResp:
      r.readStates.push({ index: m.index, requestContext: m.context });
      return;
  }
}

