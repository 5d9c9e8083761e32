// The other players, drawn a little in the server's past: snapshots kept by the server time they
// carry (not by when they arrived, which the network jitters), and positions interpolated
// between the two around the time drawn.

const SNAPSHOTS_KEPT = 32;

export type Positions = Map<number, { x: number; y: number }>;

export class Timeline {
  private readonly snapshots: { serverTime: number; positions: Positions }[] = [];

  push(serverTime: number, positions: Positions): void {
    const last = this.snapshots.at(-1);
    if (last !== undefined && serverTime < last.serverTime) this.snapshots.length = 0; // a new server's clock
    this.snapshots.push({ serverTime, positions });
    if (this.snapshots.length > SNAPSHOTS_KEPT) this.snapshots.shift();
  }

  clear(): void {
    this.snapshots.length = 0;
  }

  get length(): number {
    return this.snapshots.length;
  }

  /** Positions at server time `at`: between the snapshots around it, or the nearest one. */
  at(at: number): Positions {
    const snapshots = this.snapshots;
    const result: Positions = new Map();
    if (snapshots.length === 0) return result;
    let newer = snapshots.findIndex((snapshot) => snapshot.serverTime > at);
    if (newer === -1) newer = snapshots.length - 1; // past the newest: hold it
    const older = snapshots[Math.max(0, newer - 1)]!;
    const next = snapshots[newer]!;
    const span = next.serverTime - older.serverTime;
    const t = span > 0 ? Math.min(1, Math.max(0, (at - older.serverTime) / span)) : 1;
    for (const [id, to] of next.positions) {
      const from = older.positions.get(id) ?? to;
      result.set(id, { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t });
    }
    return result;
  }
}
