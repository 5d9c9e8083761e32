// Client-side prediction of the local player, with server reconciliation: the player moves at
// once under its own input (the same `move` the server runs), each step sent with a sequence
// number; every snapshot says where the server put the player after which input, and the
// inputs it has not answered yet are replayed on top. Latency then shows only in the others.
import { INPUT_STEP_MS, type Input, move } from './protocol.js';

/** After a long frame (a tab back from the background) catch up at most this much input time. */
const MAX_CATCH_UP_MS = 100;
/** Inputs kept while unanswered: two seconds of holding a key. */
const MAX_PENDING = 128;

export class Prediction {
  /** Where the local player is drawn. Meaningless until `known`. */
  readonly position = { x: 0, y: 0 };
  /** Where the server last said the player is. */
  readonly server = { x: 0, y: 0 };
  /** Whether a snapshot placed the player yet (since the start or the last `reset`). */
  known = false;
  private readonly pending: Input[] = [];
  private seq = 0;
  private carryMs = 0;

  /**
   * The game advanced `elapsedMs`: each whole input step with a direction held moves the player
   * and is handed to `send`. Steps with nothing held are not sent (the server moves no one idle).
   */
  advance(elapsedMs: number, dx: number, dy: number, send: (input: Input) => void): void {
    if (!this.known) return;
    this.carryMs = Math.min(this.carryMs + elapsedMs, MAX_CATCH_UP_MS);
    while (this.carryMs >= INPUT_STEP_MS) {
      this.carryMs -= INPUT_STEP_MS;
      if (dx === 0 && dy === 0) continue;
      const input: Input = { seq: ++this.seq, dx, dy, ms: INPUT_STEP_MS };
      move(this.position, dx, dy, input.ms);
      if (this.pending.length === MAX_PENDING) this.pending.shift();
      this.pending.push(input);
      send(input);
    }
  }

  /** A snapshot's word on the player: its position after input `acked`. */
  reconcile(x: number, y: number, acked: number): void {
    this.server.x = x;
    this.server.y = y;
    let answered = 0;
    while (answered < this.pending.length && this.pending[answered]!.seq <= acked) answered++;
    this.pending.splice(0, answered);
    this.position.x = x;
    this.position.y = y;
    for (const input of this.pending) move(this.position, input.dx, input.dy, input.ms);
    this.known = true;
  }

  /** Inputs sent and not yet answered. */
  get unanswered(): number {
    return this.pending.length;
  }

  /** The connection was lost: what was in flight is gone; wait for the next snapshot. */
  reset(): void {
    this.pending.length = 0;
    this.carryMs = 0;
    this.known = false;
  }
}
