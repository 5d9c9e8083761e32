/**
 * The handler registry of a socket, over mitt: typed `on`/`off` with argument checks, and an
 * emit loop made for the hot path. It iterates mitt's own handler list, with no copy per event
 * (mitt's `emit` copies the list every call); a handler added or removed during a dispatch gets a
 * fresh list to change instead (copy on write), so the running loop is never disturbed. A handler
 * that throws does not stop the others: its exception is collected for `update()` to rethrow.
 */
import mitt, { type Emitter, type Handler } from 'mitt';
import { InvalidArgumentError, quote } from './errors.js';

/** A handler of any event, as stored. */
export type AnyHandler = (...args: never[]) => void;

/** Exceptions thrown by handlers during the current `update()`, rethrown when it ends. */
const handlerErrors: unknown[] = [];

/** @internal Rethrow what handlers threw during this `update()`: one error as is, several as an AggregateError. */
export function rethrowHandlerErrors(): void {
  if (handlerErrors.length === 0) return;
  const errors = handlerErrors.splice(0);
  throw errors.length === 1
    ? errors[0]
    : new AggregateError(errors, `${errors.length} ticksocket handlers threw during update()`);
}

export class Handlers<Owner extends object> {
  private readonly emitter: Emitter<Record<string, unknown>> = mitt();
  /** Emits running now: `add`/`remove` copy the list instead of changing it. */
  private depth = 0;
  /** Changes with every `add` and `remove`: a list read before is still current while it is the same. */
  version = 0;

  constructor(
    private readonly owner: Owner,
    private readonly names: ReadonlySet<string>,
    private readonly onError: ((error: unknown, owner: Owner) => void) | undefined,
  ) {}

  add(event: string, handler: unknown): void {
    if (!this.names.has(event)) {
      throw new InvalidArgumentError(`Unknown event ${quote(event)}: use one of ${[...this.names].join(', ')}.`);
    }
    if (typeof handler !== 'function') {
      throw new InvalidArgumentError(`The handler for ${quote(event)} must be a function, got ${typeof handler}.`);
    }
    this.copyWhileEmitting(event);
    this.emitter.on(event, handler as Handler<unknown>);
    this.version++;
  }

  remove(event: string, handler?: unknown): void {
    this.copyWhileEmitting(event);
    this.emitter.off(event, handler as Handler<unknown> | undefined);
    this.version++;
  }

  /** The handlers of `event` (read once per dispatch, then given to `emit`). */
  list(event: string): AnyHandler[] | undefined {
    return this.emitter.all.get(event) as AnyHandler[] | undefined;
  }

  count(event: string): number {
    return this.emitter.all.get(event)?.length ?? 0;
  }

  /** Call each handler with (owner, a, b, c); one that throws is reported, and the rest still run. */
  emit(list: AnyHandler[] | undefined, a?: unknown, b?: unknown, c?: unknown): void {
    if (list === undefined || list.length === 0) return;
    this.depth++;
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as (owner: Owner, a: unknown, b: unknown, c: unknown) => void)(this.owner, a, b, c);
      } catch (error) {
        this.report(error);
      }
    }
    this.depth--;
  }

  /** `emit` to one handler, for a loop that calls the same one for many events (its call site sees only it). */
  emitTo(handler: AnyHandler, a: unknown): void {
    this.depth++;
    try {
      (handler as (owner: Owner, a: unknown) => void)(this.owner, a);
    } catch (error) {
      this.report(error);
    }
    this.depth--;
  }

  /** An exception from the game's code: to `onError` if given, else rethrown by `update()`. */
  report(error: unknown): void {
    if (this.onError === undefined) {
      handlerErrors.push(error);
      return;
    }
    try {
      this.onError(error, this.owner);
    } catch (thrownByReporter) {
      handlerErrors.push(thrownByReporter);
    }
  }

  private copyWhileEmitting(event: string): void {
    if (this.depth === 0) return;
    const list = this.emitter.all.get(event);
    if (list !== undefined) this.emitter.all.set(event, list.slice() as typeof list);
  }
}
