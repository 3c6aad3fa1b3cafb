// When the client tries a call again, where, and after how long.
//
// What is retried: every call of the API is safe to repeat. Reads change nothing. Writes
// and membership changes carry a (client_id, sequence) pair that a retry reuses, so the
// cluster applies them at most once and answers a repeat with the first outcome; that is
// also what makes DEADLINE_EXCEEDED (outcome unknown) retryable. Errors the server marks
// not retryable (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ...) are returned at
// once: repeating them cannot help.
//
// Where: a member that cannot be reached, cannot serve (UNAVAILABLE) or did not answer in
// time is left for the next endpoint; a NOT_LEADER answer with the leader's address sends
// the next attempt there; a member that is merely busy (RESOURCE_EXHAUSTED) is tried again.
//
// When: moving to an endpoint not yet tried in this call is immediate (failing over should
// be fast); trying one again waits an exponential backoff with full jitter, so that many
// clients failing at once do not come back in step.
import type { VstorError } from './errors.ts';

export interface RetryPolicy {
  /** Attempts after the first, at most. */
  retries: number;
  backoffMsMin: number;
  backoffMsMax: number;
  /** A number in [0, 1): Math.random, or a seeded source in tests. */
  random: () => number;
}

export type RetryAction =
  /** Try the next endpoint. */
  | { kind: 'next' }
  /** Try the leader at this address. */
  | { kind: 'leader'; address: string }
  /** Try the same endpoint again. */
  | { kind: 'same' }
  | { kind: 'fail' };

export function retryActionFor(error: VstorError): RetryAction {
  switch (error.code) {
    case 'NOT_LEADER':
      return error.leader?.leaderAddress === undefined ? { kind: 'next' } : { kind: 'leader', address: error.leader.leaderAddress };
    case 'UNAVAILABLE':
    case 'DEADLINE_EXCEEDED':
      return { kind: 'next' };
    case 'RESOURCE_EXHAUSTED':
      // Without the server's word that it is retryable, this is grpc-js refusing a message
      // over its size limit, which no retry fixes.
      return error.retryable ? { kind: 'same' } : { kind: 'fail' };
    default:
      return { kind: 'fail' };
  }
}

/** The wait before the retry that follows `backoffCount` earlier waits in this call. */
export function backoffDelayMs(policy: RetryPolicy, backoffCount: number): number {
  const ceilingMs = Math.min(policy.backoffMsMax, policy.backoffMsMin * 2 ** Math.min(backoffCount, 30));
  return Math.floor(policy.random() * ceilingMs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
