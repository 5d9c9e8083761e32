/**
 * Arrival order across every queue of the process: each event gets the next number, so the same
 * arrivals give the same sequence, and a manager dispatches across its sockets by it (pump rule 2).
 */

/** Told of every event a queue accepts, in global arrival order (the manager). */
export interface ArrivalListener {
  arrived(owner: object, seq: number): void;
}

let lastSeq = 0;

/** The next arrival number. */
export function nextArrival(): number {
  return ++lastSeq;
}
