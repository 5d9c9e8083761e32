/**
 * The one dispatch loop. A socket, a manager and a reconnecting socket are each an
 * {@link EventSource}; `update()` on any of them is {@link pump}: it dispatches at most what was
 * waiting when it began (pump rule 3), within the budget, and then rethrows what the game's
 * handlers threw (pump rule 5). Nothing else in the library loops over events.
 */
import { InvalidStateError } from './errors.js';
import { rethrowHandlerErrors } from './handlers.js';
import { checkBudget } from './validate.js';

/** Optional limits of one `update()` call. What they leave stays queued, in order. */
export interface UpdateBudget {
  /** Dispatch at most this many events. */
  maxEvents?: number;
  /** Stop once this many milliseconds have passed (checked after each event; at least one runs). */
  maxMs?: number;
}

/** What the pump dispatches from. */
export interface EventSource {
  /** Steps waiting now: the pump takes at most this many (what arrives meanwhile waits). */
  readonly waiting: number;
  /** Set by the pump while it runs: an `update()` from one of the source's own handlers is refused. */
  pumping: boolean;
  /** Take into the queue what waits outside it (a transport's {@link Inbox}); called first. */
  poll?(): void;
  /** Take the oldest step and dispatch its event; false when no handler ran (coalesced away, stale). */
  dispatchNext(): boolean;
  /**
   * Dispatch up to `max` of the oldest events in one tight loop, where they allow it (binary
   * messages to `binaryView` handlers); returns how many ran, 0 when the oldest does not.
   */
  dispatchRun?(max: number): number;
}

/**
 * Dispatch what `source` holds now, within `budget`; returns how many events ran.
 *
 * @param manager the manager of a socket that has one: its own `update()` is refused.
 * @throws {@link InvalidStateError} when the source belongs to `manager`, or is called from one of its own handlers; then, after
 *   the dispatch, what a handler threw (several as an `AggregateError`).
 */
export function pump(source: EventSource, budget: UpdateBudget | undefined, manager: object | null = null): number {
  if (manager !== null) {
    throw new InvalidStateError(
      'This socket belongs to a SocketManager: call manager.update() instead of socket.update().',
    );
  }
  if (source.pumping) throw new InvalidStateError('update() was called from one of its own handlers.');
  if (budget !== undefined) checkBudget(budget);
  source.poll?.();
  let steps = source.waiting;
  if (steps === 0) return 0;
  let limit = Number.POSITIVE_INFINITY;
  let deadline = Number.POSITIVE_INFINITY;
  if (budget !== undefined) {
    if (budget.maxEvents !== undefined) limit = budget.maxEvents;
    if (budget.maxMs !== undefined) deadline = performance.now() + budget.maxMs;
  }
  let dispatched = 0;
  // a deadline is checked after each event: then no run
  const runs = deadline === Number.POSITIVE_INFINITY && source.dispatchRun !== undefined;
  source.pumping = true;
  try {
    while (steps > 0 && dispatched < limit) {
      if (runs) {
        const ran = source.dispatchRun!(Math.min(steps, limit - dispatched));
        steps -= ran;
        dispatched += ran;
        if (steps === 0 || dispatched === limit) break;
      }
      steps--;
      if (!source.dispatchNext()) continue;
      dispatched++;
      if (deadline !== Number.POSITIVE_INFINITY && performance.now() >= deadline) break;
    }
  } finally {
    source.pumping = false;
  }
  rethrowHandlerErrors();
  return dispatched;
}
