// Quorum arithmetic over majority and joint configurations (etcd's quorum package). A joint
// configuration decides only when both of its majorities agree: that is what makes joint
// consensus safe while membership changes.

export type VoteResult = 'pending' | 'lost' | 'won';

/** A set of voter ids deciding by simple majority. */
export type MajorityConfig = ReadonlySet<number>;

/**
 * The largest index acknowledged by a majority. `acked(id)` returns the id's acknowledged
 * index, or undefined when unknown (counted as 0). An empty config commits everything, so
 * that a joint config with an empty outgoing half behaves as its incoming half alone.
 */
export function majorityCommitted(voters: MajorityConfig, acked: (id: number) => number | undefined): number {
  const count = voters.size;
  if (count === 0) return Number.MAX_SAFE_INTEGER;
  // Small configs (the common case) avoid a sort: insertion into a fixed array.
  const indexes: number[] = new Array<number>(count);
  let filled = 0;
  for (const id of voters) {
    const index = acked(id) ?? 0;
    let at = filled++;
    while (at > 0 && indexes[at - 1]! > index) {
      indexes[at] = indexes[at - 1]!;
      at--;
    }
    indexes[at] = index;
  }
  // Sorted ascending: the element at count - quorum is acknowledged by a quorum.
  return indexes[count - (Math.floor(count / 2) + 1)]!;
}

export function majorityVoteResult(voters: MajorityConfig, votes: ReadonlyMap<number, boolean>): VoteResult {
  if (voters.size === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === undefined) missing++;
    else if (vote) granted++;
  }
  const quorum = Math.floor(voters.size / 2) + 1;
  if (granted >= quorum) return 'won';
  if (granted + missing >= quorum) return 'pending';
  return 'lost';
}

/** Incoming and outgoing voters; outgoing is empty unless a joint change is in progress. */
export interface JointConfig {
  incoming: Set<number>;
  outgoing: Set<number>;
}

export function jointCommitted(config: JointConfig, acked: (id: number) => number | undefined): number {
  return Math.min(majorityCommitted(config.incoming, acked), majorityCommitted(config.outgoing, acked));
}

export function jointVoteResult(config: JointConfig, votes: ReadonlyMap<number, boolean>): VoteResult {
  const incoming = majorityVoteResult(config.incoming, votes);
  const outgoing = majorityVoteResult(config.outgoing, votes);
  if (incoming === outgoing) return incoming;
  if (incoming === 'lost' || outgoing === 'lost') return 'lost';
  return 'pending';
}

export function jointVoterIds(config: JointConfig): Set<number> {
  const ids = new Set(config.incoming);
  for (const id of config.outgoing) ids.add(id);
  return ids;
}
