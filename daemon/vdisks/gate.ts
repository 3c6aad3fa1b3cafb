// A shared/exclusive lock per vDisk on its owner. I/O that changes blocks holds it shared
// from the moment it reads the vDisk's head epoch until the engine has taken the write, and
// so do reads of the head (a rollback half done reads as neither before nor after it);
// calls that move the head epoch or rewrite blocks wholesale (snapshot, rollback, flatten,
// delete) hold it exclusively until their metadata change is applied here.
//
// Why not the block engine's own per-vDisk lock: BlockStore.write() takes that lock
// itself, after its caller chose the epoch. A write that chose epoch E and then queued
// behind a snapshot would land in E after the snapshot closed it. Here the epoch is read
// inside the gate, so a write either finishes before a snapshot starts or sees the new head.
//
// Exclusive waiters go first: once one waits, new shared holders queue behind it, so a
// steady stream of writes cannot starve a snapshot.

interface GateState {
  sharedHolders: number;
  exclusiveHeld: boolean;
  /** Waiters in arrival order. */
  queue: Array<{ exclusive: boolean; admit: () => void }>;
}

export class VDiskGates {
  private readonly gates = new Map<number, GateState>();

  shared<T>(vdiskId: number, work: () => Promise<T>): Promise<T> {
    return this.hold(vdiskId, false, work);
  }

  exclusive<T>(vdiskId: number, work: () => Promise<T>): Promise<T> {
    return this.hold(vdiskId, true, work);
  }

  /** vDisks with a holder or a waiter, for tests. */
  get activeCount(): number {
    return this.gates.size;
  }

  private async hold<T>(vdiskId: number, exclusive: boolean, work: () => Promise<T>): Promise<T> {
    let gate = this.gates.get(vdiskId);
    if (gate === undefined) {
      gate = { sharedHolders: 0, exclusiveHeld: false, queue: [] };
      this.gates.set(vdiskId, gate);
    }
    if (!this.admissible(gate, exclusive)) {
      const waiting = gate;
      await new Promise<void>((resolve) => waiting.queue.push({ exclusive, admit: resolve }));
    } else if (exclusive) gate.exclusiveHeld = true;
    else gate.sharedHolders++;
    try {
      return await work();
    } finally {
      if (exclusive) gate.exclusiveHeld = false;
      else gate.sharedHolders--;
      this.admitWaiters(vdiskId, gate);
    }
  }

  private admissible(gate: GateState, exclusive: boolean): boolean {
    if (gate.exclusiveHeld || gate.queue.length > 0) return false;
    return !exclusive || gate.sharedHolders === 0;
  }

  private admitWaiters(vdiskId: number, gate: GateState): void {
    while (gate.queue.length > 0 && !gate.exclusiveHeld) {
      const next = gate.queue[0]!;
      if (next.exclusive) {
        if (gate.sharedHolders > 0) break;
        gate.queue.shift();
        gate.exclusiveHeld = true;
        next.admit();
        break;
      }
      gate.queue.shift();
      gate.sharedHolders++;
      next.admit();
    }
    if (gate.sharedHolders === 0 && !gate.exclusiveHeld && gate.queue.length === 0) this.gates.delete(vdiskId);
  }
}
