/**
 * The sends a reconnecting socket is given while it is disconnected, by their policy: refused
 * (`'fail'`), counted and dropped (`'drop'`), or kept (`'queue'`): copies, capped in number, sent
 * in order once the connection is back unless they went stale.
 */
import { InvalidStateError } from './errors.js';
import type { SendPolicy } from './retry.js';
import { copyOf } from './validate.js';

export class Outbox {
  /** Sends pushed out by newer ones past the cap, or stale when the connection came back. */
  expired = 0;
  /** Sends dropped by the `'drop'` policy. */
  dropped = 0;
  private items: { data: string | Uint8Array; at: number }[] = [];

  constructor(
    private readonly maxSends: number,
    private readonly maxAge: number,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /**
   * A send while disconnected (`state`): bytes are `[start, end)` of `payload`.
   *
   * @throws {@link InvalidStateError} under the `'fail'` policy.
   */
  offer(payload: string | Uint8Array, start: number, end: number, policy: SendPolicy, state: string): void {
    if (policy === 'fail') {
      throw new InvalidStateError(
        `send() while ${state}: the message was not sent. Check isOpen, or send with the 'queue' or 'drop' policy.`,
      );
    }
    if (policy === 'drop') this.dropped++;
    // A copy: the game may reuse its buffer before the connection is back.
    else this.push(typeof payload === 'string' ? payload : copyOf(payload, start, end));
  }

  private push(data: string | Uint8Array): void {
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
