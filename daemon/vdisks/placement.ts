// Which member a new vDisk lives on (issue 4: "the node with the most free capacity and
// fewest vDisks, unless the caller names one"). Pure: the caller gathers what the members
// published and what the leader sees of them, so the rule is tested on its own.
//
// A member the caller names is taken as named, reachable or not, as an operator's choice;
// a name that is not a member is NOT_FOUND. Otherwise the reachable members compete: the
// most free bytes wins, then the fewest vDisks, then the name, so that equal members are
// chosen the same way every time.

import { VstorError } from '../../storage-engine/errors.ts';

export interface PlacementCandidate {
  /** The member's name (n1). */
  name: string;
  /** Free bytes on its data directory's file system, as it last published them (0 if
   * it never did). */
  freeBytes: number;
  /** vDisks it owns now. */
  vdiskCount: number;
  /** Whether the leader heard from it lately. */
  reachable: boolean;
}

export function placeVDisk(candidates: readonly PlacementCandidate[], requested?: string): string {
  if (requested !== undefined) {
    if (candidates.some((candidate) => candidate.name === requested)) return requested;
    const names = candidates.map((candidate) => candidate.name).sort().join(', ');
    throw new VstorError('NOT_FOUND', `node: ${requested} is not a member (members: ${names})`);
  }
  let best: PlacementCandidate | undefined;
  for (const candidate of candidates) {
    if (!candidate.reachable) continue;
    if (best === undefined || better(candidate, best)) best = candidate;
  }
  if (best === undefined) throw new VstorError('UNAVAILABLE', 'no member is reachable to place the vdisk on; retry');
  return best.name;
}

function better(candidate: PlacementCandidate, best: PlacementCandidate): boolean {
  if (candidate.freeBytes !== best.freeBytes) return candidate.freeBytes > best.freeBytes;
  if (candidate.vdiskCount !== best.vdiskCount) return candidate.vdiskCount < best.vdiskCount;
  return candidate.name < best.name;
}
