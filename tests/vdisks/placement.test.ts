// Placement (daemon/vdisks/placement.ts), issue 4: the owner of a new vDisk is the member
// with the most free capacity, then the fewest vDisks, unless the caller names one. Ties
// end on the name so the choice is the same every time; unreachable members never win;
// a named member is taken even if unreachable, and a name that is no member is NOT_FOUND.
import test from 'ava';
import type { PlacementCandidate } from '../../daemon/vdisks/placement.ts';
import { placeVDisk } from '../../daemon/vdisks/placement.ts';
import { isVstorError } from '../../storage-engine/errors.ts';

const GiB = 1024 ** 3;

function member(name: string, freeBytes: number, vdiskCount = 0, reachable = true): PlacementCandidate {
  return { name, freeBytes, vdiskCount, reachable };
}

test('the member with the most free bytes wins, whatever its vDisk count', (t) => {
  t.is(placeVDisk([member('n1', 10 * GiB, 0), member('n2', 30 * GiB, 50), member('n3', 20 * GiB, 1)]), 'n2');
});

test('equal free bytes: the fewest vDisks wins; then the first name', (t) => {
  t.is(placeVDisk([member('n1', 10 * GiB, 3), member('n2', 10 * GiB, 1), member('n3', 10 * GiB, 2)]), 'n2');
  t.is(placeVDisk([member('n3', 10 * GiB, 1), member('n1', 10 * GiB, 1), member('n2', 10 * GiB, 1)]), 'n1');
});

test('the order of the candidates does not change the choice', (t) => {
  const candidates = [member('a', 5, 2), member('b', 5, 1), member('c', 4, 0), member('d', 5, 1)];
  const chosen = placeVDisk(candidates);
  t.is(chosen, 'b');
  for (let rotation = 1; rotation < candidates.length; rotation++) {
    t.is(placeVDisk([...candidates.slice(rotation), ...candidates.slice(0, rotation)]), chosen);
    t.is(placeVDisk([...candidates].reverse()), chosen);
  }
});

test('an unreachable member is never chosen, however much room it has', (t) => {
  t.is(placeVDisk([member('n1', 100 * GiB, 0, false), member('n2', 1 * GiB, 9)]), 'n2');
  const error = t.throws(() => placeVDisk([member('n1', 100 * GiB, 0, false)]));
  t.true(isVstorError(error, 'UNAVAILABLE'));
  t.true(isVstorError(t.throws(() => placeVDisk([])), 'UNAVAILABLE'));
});

test('the caller\'s choice wins when it names a member, reachable or not; otherwise NOT_FOUND', (t) => {
  const candidates = [member('n1', 100 * GiB), member('n2', 1 * GiB, 9, false)];
  t.is(placeVDisk(candidates, 'n2'), 'n2');
  t.is(placeVDisk(candidates, 'n1'), 'n1');
  const error = t.throws(() => placeVDisk(candidates, 'n7'));
  t.true(isVstorError(error, 'NOT_FOUND'));
  t.regex(error!.message, /n7 is not a member \(members: n1, n2\)/);
});

test('a member that never published its capacity counts as having none', (t) => {
  t.is(placeVDisk([member('n1', 0, 0), member('n2', 1, 5)]), 'n2');
  t.is(placeVDisk([member('n1', 0, 1), member('n2', 0, 0)]), 'n2');
});
