// The leader's view of the configuration and of every member's progress, and the votes of
// an election. Membership changes produce a new TrackerConfig and progress map through
// confchange.ts; the tracker only answers questions about them.

import type { JointConfig, VoteResult } from './quorum.ts';
import { jointCommitted, jointVoteResult, jointVoterIds } from './quorum.ts';
import type { Progress } from './progress.ts';
import type { ConfState } from './types.ts';

export interface TrackerConfig {
  voters: JointConfig;
  /** Leave the joint configuration automatically once it is committed. */
  autoLeave: boolean;
  /** Learners; never overlaps with either half of `voters`. */
  learners: Set<number>;
  /** Outgoing voters that become learners when the joint configuration is left. */
  learnersNext: Set<number>;
}

export function emptyTrackerConfig(): TrackerConfig {
  return {
    voters: { incoming: new Set(), outgoing: new Set() },
    autoLeave: false,
    learners: new Set(),
    learnersNext: new Set(),
  };
}

export function cloneTrackerConfig(config: TrackerConfig): TrackerConfig {
  return {
    voters: { incoming: new Set(config.voters.incoming), outgoing: new Set(config.voters.outgoing) },
    autoLeave: config.autoLeave,
    learners: new Set(config.learners),
    learnersNext: new Set(config.learnersNext),
  };
}

export function isJoint(config: TrackerConfig): boolean {
  return config.voters.outgoing.size > 0;
}

const sorted = (ids: Iterable<number>): number[] => [...ids].sort((a, b) => a - b);

export function confStateOf(config: TrackerConfig): ConfState {
  return {
    voters: sorted(config.voters.incoming),
    votersOutgoing: sorted(config.voters.outgoing),
    learners: sorted(config.learners),
    learnersNext: sorted(config.learnersNext),
    autoLeave: config.autoLeave,
  };
}

export type ProgressMap = Map<number, Progress>;

export class ProgressTracker {
  config: TrackerConfig = emptyTrackerConfig();
  progress: ProgressMap = new Map();
  /** Votes of the current election: true granted, false rejected. */
  readonly votes = new Map<number, boolean>();

  constructor(
    readonly inflightMessagesMax: number,
    readonly inflightBytesMax: number,
  ) {}

  isSingleton(): boolean {
    return this.config.voters.incoming.size === 1 && this.config.voters.outgoing.size === 0;
  }

  voterIds(): Set<number> {
    return jointVoterIds(this.config.voters);
  }

  isVoter(id: number): boolean {
    return this.config.voters.incoming.has(id) || this.config.voters.outgoing.has(id);
  }

  /** The largest index committed by the quorum rules of the current configuration. */
  committed(): number {
    return jointCommitted(this.config.voters, (id) => this.progress.get(id)?.match);
  }

  /** True when a quorum of voters was heard from recently (the leader counts itself). */
  quorumActive(selfId: number): boolean {
    const votes = new Map<number, boolean>();
    for (const [id, progress] of this.progress) {
      if (progress.isLearner) continue;
      votes.set(id, id === selfId || progress.recentActive);
    }
    return jointVoteResult(this.config.voters, votes) === 'won';
  }

  resetVotes(): void {
    this.votes.clear();
  }

  /** Records a vote; a second vote from the same node does not count again. */
  recordVote(id: number, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const [id, vote] of this.votes) {
      if (!this.isVoter(id)) continue;
      if (vote) granted++;
      else rejected++;
    }
    return { granted, rejected, result: jointVoteResult(this.config.voters, this.votes) };
  }

  voteResult(votes: ReadonlyMap<number, boolean>): VoteResult {
    return jointVoteResult(this.config.voters, votes);
  }

  confState(): ConfState {
    return confStateOf(this.config);
  }
}
