/**
 * The sends a reconnecting socket keeps while it is disconnected (the `'queue'` policy): copies,
 * capped in number, sent in order once the connection is back unless they went stale.
 */
export class Outbox {
  /** Sends pushed out by newer ones past the cap, or stale when the connection came back. */
  expired = 0;
  private items: { data: string | Uint8Array; at: number }[] = [];

  constructor(
    private readonly maxSends: number,
    private readonly maxAge: number,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** Keep `data`, which the outbox owns (a copy of the game's bytes). */
  push(data: string | Uint8Array): void {
    this.items.push({ data, at: performance.now() });
    if (this.items.length > this.maxSends) {
      this.items.shift();
      this.expired++;
    }
  }

  /** Send what is still fresh, oldest first; the outbox is empty afterwards. */
  flush(send: (data: string | Uint8Array) => void): void {
    const now = performance.now();
    for (const { data, at } of this.items.splice(0)) {
      if (now - at > this.maxAge) this.expired++;
      else send(data);
    }
  }

  clear(): void {
    this.items.length = 0;
  }
}
