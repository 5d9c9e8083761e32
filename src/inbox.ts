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
    const time = inbox === undefined ? Number.POSITIVE_INFINITY : inbox.collect();
    if (time < Number.POSITIVE_INFINITY) {
      heads.push(inbox!);
      times.push(time);
    }
  }
  while (heads.length > 0) {
    let oldest = 0;
    for (let i = 1; i < heads.length; i++) if (times[i]! < times[oldest]!) oldest = i;
    const next = heads[oldest]!.deliverOne();
    if (next < Number.POSITIVE_INFINITY) times[oldest] = next;
    else {
      heads.splice(oldest, 1);
      times.splice(oldest, 1);
    }
  }
}
