/**
 * The dispatch of one socket's queue: its oldest event to its handlers. Messages are the hot
 * path, kept short so that V8 inlines what it calls; every other event first changes the
 * socket's state through its {@link DispatchTarget}, so that its handlers see the state the event
 * explains (pump rule 7).
 */
import type { WebSocketError } from './errors.js';
import type { Handlers } from './handlers.js';
import type { EventQueue } from './queue.js';
import { BINARY, CLOSED, ERROR, type EventKind, FRAGMENT, OPEN, type OpenInfo, TEXT } from './transport.js';

/** What dispatched events change on their socket, before its handlers run. */
export interface DispatchTarget {
  opened(info: OpenInfo): void;
  failed(error: WebSocketError): void;
  ended(): void;
}

/** Netcode that reads messages before their handlers do; each returns true for a message it consumed. */
export type MessageInspector = (data: string | Uint8Array, arrival: number) => boolean;

export class Dispatcher<Owner extends object> {
  /** When the event being dispatched (after the dispatch: the last one) reached the transport. */
  eventTime = 0;

  constructor(
    private readonly queue: EventQueue,
    private readonly handlers: Handlers<Owner>,
    private readonly target: DispatchTarget,
    private readonly coalesceKey: ((data: string | Uint8Array) => unknown) | undefined,
    private readonly inspect: MessageInspector | undefined,
  ) {}

  /** Dispatch the oldest event (the queue must not be empty); false when no handler ran. */
  next(): boolean {
    const queue = this.queue;
    if (this.coalesceKey !== undefined) {
      if (queue.uncoalesced) this.coalesceQueued(this.coalesceKey);
      if (queue.headSuperseded) {
        queue.shift();
        queue.coalesced++;
        return false;
      }
    }
    const kind = queue.headKind;
    this.eventTime = queue.headTime;
    if (kind !== TEXT && kind !== BINARY) {
      this.other(kind);
      return true;
    }
    const list = this.handlers.list(kind === TEXT ? 'message' : 'binary');
    let payload: unknown;
    if (this.inspect !== undefined) {
      payload = queue.headPayload;
      if (this.inspect(payload as string | Uint8Array, queue.headTime)) {
        queue.shift();
        return false; // a ping reply: consumed
      }
    } else if (list !== undefined && list.length > 0) {
      payload = queue.headPayload; // no handler: no decoding, no copy
    }
    queue.shift(); // before the handlers run: one that throws must not see its event again
    this.handlers.emit(list, payload);
    return true;
  }

  /** A fragment, open, error or closed. */
  private other(kind: EventKind): void {
    const queue = this.queue;
    const handlers = this.handlers;
    const code = queue.headCode;
    const payload = queue.headPayload;
    queue.shift();
    switch (kind) {
      case FRAGMENT:
        handlers.emit(handlers.list('incompleteFrame'), payload, code === 1);
        break;
      case OPEN:
        this.target.opened(payload as OpenInfo);
        handlers.emit(handlers.list('open'));
        break;
      case ERROR: {
        const error = payload as WebSocketError;
        this.target.failed(error);
        handlers.emit(handlers.list('error'), error);
        handlers.emit(handlers.list('errorDesc'), `${error.code}: ${error.message}`);
        break;
      }
      case CLOSED:
        this.target.ended();
        handlers.emit(handlers.list('closed'), code, payload);
        break;
    }
  }

  /** Run the game's coalescing key over the messages queued since last time. */
  private coalesceQueued(keyOf: (data: string | Uint8Array) => unknown): void {
    this.queue.coalesce((data) => {
      try {
        return keyOf(data);
      } catch (error) {
        this.handlers.report(error); // the game's code: never swallowed, never fatal to the queue
        return undefined;
      }
    });
  }
}
