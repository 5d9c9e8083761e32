/**
 * The dispatch of one socket's queue: its oldest event to its handlers. Messages are the hot
 * path, kept short so that V8 inlines what it calls; every other event first changes the
 * socket's state through its {@link DispatchTarget}, so that its handlers see the state the event
 * explains (pump rule 7).
 */
import { BinaryView } from './binary-view.js';
import type { WebSocketError } from './errors.js';
import type { Handlers } from './handlers.js';
import type { EventQueue } from './queue.js';
import { BINARY, CLOSED, ERROR, type EventKind, FRAGMENT, LIFECYCLE, OPEN, type OpenInfo, TEXT } from './transport.js';

/** What dispatched events change on their socket, before its handlers run. */
export interface DispatchTarget {
  opened(info: OpenInfo): void;
  failed(error: WebSocketError): void;
  ended(): void;
}

/** Netcode that reads messages before their handlers do; each returns true for a message it consumed. */
export type MessageInspector = (data: string | Uint8Array, arrival: number) => boolean;

/** The game's coalescing keys: of any message, and of binary messages read from the reused view. */
export interface CoalesceKeys {
  readonly coalesce?: (data: string | Uint8Array) => unknown;
  readonly coalesceBinary?: (view: BinaryView) => unknown;
}

const noKey = (): undefined => undefined;

export class Dispatcher<Owner extends object> {
  /** When the event being dispatched reached the transport, in a cell: storing it allocates nothing. */
  private readonly time = new Float64Array(1);
  /** Sees every binary message dispatched, whichever handlers get it (the recorder). */
  binaryTap: ((view: BinaryView, time: number) => void) | null = null;
  /** What every `binaryView` handler and `coalesceBinary` key of this socket is shown. */
  private readonly view = new BinaryView();
  private readonly coalescing: boolean;

  constructor(
    private readonly queue: EventQueue,
    private readonly handlers: Handlers<Owner>,
    private readonly target: DispatchTarget,
    private readonly keys: CoalesceKeys,
    private readonly inspect: MessageInspector | undefined,
  ) {
    this.coalescing = keys.coalesce !== undefined || keys.coalesceBinary !== undefined;
  }

  /** When the event being dispatched (after the dispatch: the last one) reached the transport. */
  get eventTime(): number {
    return this.time[0]!;
  }

  /** Dispatch the oldest event (the queue must not be empty); false when no handler ran. */
  next(): boolean {
    const queue = this.queue;
    if (this.coalescing) {
      if (queue.uncoalesced) this.coalesceQueued();
      if (queue.headSuperseded) {
        queue.shift();
        queue.coalesced++;
        return false;
      }
    }
    const kind = queue.headKind;
    queue.headTimeInto(this.time);
    if (kind === BINARY) return this.binary();
    if (kind !== TEXT) {
      this.other(kind);
      return true;
    }
    const list = this.handlers.list('message');
    let text: unknown;
    if (this.inspect !== undefined) {
      text = queue.headPayload;
      if (this.inspect(text as string, queue.headTime)) {
        queue.shift();
        return false; // a ping reply: consumed
      }
    } else if (list !== undefined && list.length > 0) {
      text = queue.headPayload; // no handler: no decoding
    }
    queue.shift(); // before the handlers run: one that throws must not see its event again
    this.handlers.emit(list, text);
    return true;
  }

  /**
   * The zero-allocation path's loop: the oldest messages while they are binary, each shown in the
   * reused view to the `binaryView` handlers, up to `max`; 0 when the oldest does not qualify (or
   * netcode or coalescing reads messages first: then `next()` takes each).
   */
  run(max: number): number {
    const queue = this.queue;
    const handlers = this.handlers;
    if (this.coalescing || this.inspect !== undefined || this.binaryTap !== null) return 0;
    const views = handlers.list('binaryView');
    if (views === undefined || views.length === 0) return 0;
    const version = handlers.version; // a handler added or removed takes effect from the next event
    const only = views.length === 1 ? views[0]! : null;
    const view = this.view;
    const last = Math.min(max, queue.length); // handlers cannot take events out of the queue
    let ran = 0;
    while (ran < last && queue.headKind === BINARY && handlers.version === version) {
      queue.headTimeInto(this.time);
      queue.shiftInto(view);
      if (only !== null) handlers.emitTo(only, view);
      else handlers.emit(views, view);
      ran++;
    }
    view.release(); // between the run's events no code but their handlers runs
    return ran;
  }

  /** A binary message: to `binaryView` handlers in the reused view (no allocation), or else to `binary`. */
  private binary(): boolean {
    const queue = this.queue;
    let data: Uint8Array | undefined;
    if (this.inspect !== undefined) {
      // netcode that reads messages (appPing, serverTime) reads them as bytes; `binary` handlers get the same
      data = queue.headPayload as Uint8Array;
      if (this.inspect(data, queue.headTime)) {
        queue.shift();
        return false;
      }
    }
    if (this.binaryTap !== null) this.tapHead(this.binaryTap);
    const handlers = this.handlers;
    const views = handlers.list('binaryView');
    if (views !== undefined && views.length > 0) {
      const view = this.view;
      queue.shiftInto(view);
      handlers.emit(views, view);
      view.release();
      return true;
    }
    const list = handlers.list('binary');
    if (data === undefined && list !== undefined && list.length > 0) data = queue.headPayload as Uint8Array; // no handler: no view
    queue.shift();
    handlers.emit(list, data);
    return true;
  }

  private tapHead(tap: (view: BinaryView, time: number) => void): void {
    const view = this.view;
    this.queue.showHead(view);
    try {
      tap(view, this.queue.headTime);
    } finally {
      view.release();
    }
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
      case LIFECYCLE:
        handlers.emit(handlers.list('lifecycle'), payload, code);
        break;
    }
  }

  /** Run the game's coalescing keys over the messages queued since last time. */
  private coalesceQueued(): void {
    const { coalesce = noKey, coalesceBinary } = this.keys;
    const report = (error: unknown): undefined => {
      this.handlers.report(error); // the game's code: never swallowed, never fatal to the queue
      return undefined;
    };
    this.queue.coalesce(
      (data) => {
        try {
          return coalesce(data);
        } catch (error) {
          return report(error);
        }
      },
      coalesceBinary &&
        ((view) => {
          try {
            return coalesceBinary(view);
          } catch (error) {
            return report(error);
          } finally {
            view.release();
          }
        }),
      this.view,
    );
  }
}
