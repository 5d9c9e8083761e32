/**
 * The page's lifecycle, as a game's sockets need it: a background tab (its timers throttled), a
 * frozen page (nothing runs, its workers included; Chromium closes its sockets), a page back from the
 * back/forward cache, the network gone and back. One source per page, listening to `document`
 * and `window` once; each socket subscribes while it is live. It only reports: what a socket
 * does about it (its heartbeat, a reconnect, an event for the game) is the socket's.
 */

/** What happened to the page: it went to the background or froze or lost the network, or came back. */
export type LifecycleState = 'hidden' | 'visible' | 'frozen' | 'resumed' | 'offline' | 'online';

/** Told of each change, with its time (`performance.now()`) and, on a return, how long the page was away. */
export type LifecycleListener = (state: LifecycleState, time: number, awayMs: number) => void;

/** Where sockets subscribe to the page's lifecycle. */
export interface LifecycleSource {
  /** Hidden, frozen or offline now: round trips measured now lie. */
  readonly suspended: boolean;
  /** Be told of each change from now on. */
  add(listener: LifecycleListener): void;
  /** No longer be told. */
  remove(listener: LifecycleListener): void;
}

/** The return that ends each way of being away. */
const RETURN: Partial<Record<LifecycleState, LifecycleState>> = {
  hidden: 'visible',
  frozen: 'resumed',
  offline: 'online',
};

interface PageGlobals {
  document?: { visibilityState?: string; addEventListener(type: string, listener: (event: Event) => void): void };
  addEventListener?(type: string, listener: (event: Event) => void): void;
  navigator?: { onLine?: boolean };
}

let source: LifecycleSource | undefined;

/** The page's lifecycle source (one per page); undefined where there is no `document` (workers, Node). */
export function pageLifecycle(): LifecycleSource | undefined {
  const page = globalThis as unknown as PageGlobals;
  if (page.document === undefined || page.addEventListener === undefined) return undefined;
  source ??= listen(page);
  return source;
}

function listen(page: PageGlobals): LifecycleSource {
  const listeners = new Set<LifecycleListener>();
  const since: Partial<Record<LifecycleState, number>> = {};
  if (page.document?.visibilityState === 'hidden') since.hidden = performance.now();
  if (page.navigator?.onLine === false) since.offline = performance.now();
  const report = (state: LifecycleState): void => {
    const time = performance.now();
    let away = 0;
    const left = (Object.keys(RETURN) as LifecycleState[]).find((away) => RETURN[away] === state);
    if (left !== undefined) {
      if (since[left] === undefined) return; // not away that way: nothing to report
      away = time - since[left]!;
      delete since[left];
    } else {
      if (since[state] !== undefined) return;
      since[state] = time;
    }
    for (const listener of [...listeners]) listener(state, time, away);
  };
  const document = page.document!;
  document.addEventListener('visibilitychange', () =>
    report(document.visibilityState === 'hidden' ? 'hidden' : 'visible'),
  );
  document.addEventListener('freeze', () => report('frozen'));
  document.addEventListener('resume', () => report('resumed'));
  page.addEventListener!('pagehide', (event) => {
    if ((event as PageTransitionEvent).persisted) report('frozen'); // into the back/forward cache
  });
  page.addEventListener!('pageshow', (event) => {
    if ((event as PageTransitionEvent).persisted) report('resumed'); // out of it
  });
  page.addEventListener!('offline', () => report('offline'));
  page.addEventListener!('online', () => report('online'));
  return {
    get suspended() {
      return since.hidden !== undefined || since.frozen !== undefined || since.offline !== undefined;
    },
    add: (listener) => listeners.add(listener),
    remove: (listener) => listeners.delete(listener),
  };
}
