/**
 * Taking what waits in transports' inboxes (the worker transport's shared ring) into the queues,
 * at the start of `update()`: one socket's in order; a manager's by arrival time across its
 * sockets, so its dispatch stays in arrival order as it is for messages the transports report.
 */
import type { Inbox } from './transport.js';

/** Hand everything in `inbox` to its sink, oldest first. */
export function drainInbox(inbox: Inbox | undefined): void {
  if (inbox === undefined) return;
  for (let time = inbox.collect(); time < Number.POSITIVE_INFINITY; time = inbox.deliverOne());
}

/** Hand over what waits in the inboxes of `sources`, oldest first across them (`heads` and `times`: reused scratch). */
export function drainInboxes(
  sources: Iterable<{ readonly inbox?: Inbox | undefined }>,
  heads: Inbox[],
  times: number[],
): void {
  heads.length = times.length = 0;
  for (const source of sources) {
    const inbox = source.inbox;
    if (inbox !== undefined) {
      heads.push(inbox);
      times.push(inbox.collect());
    }
  }
  for (;;) {
    let oldest = -1;
    let time = Number.POSITIVE_INFINITY;
    for (let i = 0; i < heads.length; i++) {
      if (times[i]! < time) {
        oldest = i;
        time = times[i]!;
      }
    }
    if (oldest < 0) return;
    times[oldest] = heads[oldest]!.deliverOne();
  }
}
