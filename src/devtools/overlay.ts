/**
 * The network overlay: a small canvas over the game that draws the last seconds of a socket (or
 * a manager) as graphs: round trip and jitter, messages and bytes per frame in and out, queue
 * depth and backlog age, and the coalesced, dropped and reconnect counts. It samples once per
 * animation frame on its own (the game's loop needs no change), keeps its history in typed
 * arrays, and measures what it costs the frame (`costMs`).
 */
import { History, read, type Series, type Watched } from './samples.js';

/** How the overlay looks and is toggled. */
export interface OverlayOptions {
  /** The key (`KeyboardEvent.key`) that shows and hides it. Default `` ` ``. */
  key?: string;
  /** Frames of history the scales look back over (the panel sweeps 300 frames). Default 300. */
  frames?: number;
  /** Shown from the start. Default true. */
  visible?: boolean;
  /** Where the canvas goes. Default `document.body`. */
  parent?: HTMLElement;
  /** A title in the panel's corner (e.g. the server's name). */
  title?: string;
  /** The round trip in ms, for a game that times it with pings of its own (default: the socket's heartbeat). */
  roundTrip?: () => number;
}

/** An attached overlay. */
export interface Overlay {
  /** The panel's canvas (position it with CSS; it is fixed to the top right by default). */
  readonly canvas: HTMLCanvasElement;
  /** Shown now. */
  visible: boolean;
  /** What sampling and drawing cost per frame, in ms (smoothed). */
  readonly costMs: number;
  /** Show or hide it. */
  toggle(): void;
  /** Remove it and stop sampling. */
  detach(): void;
}

const WIDTH = 300;
const ROW = 38;
const ROWS: readonly { label: (h: History) => string; series: readonly [Series, string][]; floor: number }[] = [
  {
    label: (h) => `rtt ${h.latest!.rtt.toFixed(1)} ms ± ${h.latest!.jitter.toFixed(1)}`,
    series: [
      ['rtt', '#6f6'],
      ['jitter', '#fd5'],
    ],
    floor: 1,
  },
  {
    label: (h) => `msgs/frame in ${h.at('messagesIn', 0)} out ${h.at('messagesOut', 0)}`,
    series: [
      ['messagesIn', '#5df'],
      ['messagesOut', '#f6e'],
    ],
    floor: 1,
  },
  {
    label: (h) => `bytes/frame in ${kib(h.at('bytesIn', 0))} out ${kib(h.at('bytesOut', 0))}`,
    series: [
      ['bytesIn', '#5df'],
      ['bytesOut', '#f6e'],
    ],
    floor: 64,
  },
  {
    label: (h) => `queue ${h.latest!.queued} · backlog ${h.latest!.backlogAgeMs.toFixed(0)} ms`,
    series: [
      ['queued', '#fa5'],
      ['backlogAgeMs', '#f55'],
    ],
    floor: 1,
  },
];
// Below the graphs: the title, then the counts, each on its own line so neither runs off the panel.
const FOOTER = 30;
const HEIGHT = ROWS.length * ROW + FOOTER;
/** Text is squeezed to this rather than cut off (large counts). */
const TEXT_WIDTH = WIDTH - 8;
const BACKGROUND = 'rgb(10,12,16)';

const kib = (bytes: number): string => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`);

/**
 * Attach the network overlay to a socket, a reconnecting socket or a manager (browsers).
 *
 * @example
 * ```ts
 * import { attachOverlay } from 'ticksocket/devtools';
 * const overlay = attachOverlay(socket, { key: 'F2' }); // F2 shows and hides it
 * ```
 */
export function attachOverlay(target: Watched, options: OverlayOptions = {}): Overlay {
  const {
    key = '`',
    frames = WIDTH,
    visible = true,
    parent = document.body,
    title = 'ticksocket',
    roundTrip,
  } = options;
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  canvas.dataset.ticksocketOverlay = '';
  canvas.style.cssText = 'position:fixed;top:8px;right:8px;z-index:2147483647;pointer-events:none;';
  parent.appendChild(canvas);
  const context = canvas.getContext('2d')!;
  const history = new History(Math.max(2, Math.round(frames)));
  let frame = 0;
  let cost = 0;
  const overlay: Overlay = {
    canvas,
    visible,
    get costMs() {
      return cost;
    },
    toggle() {
      overlay.visible = !overlay.visible;
      canvas.style.display = overlay.visible ? '' : 'none';
    },
    detach() {
      cancelAnimationFrame(frame);
      removeEventListener('keydown', onKey);
      canvas.remove();
    },
  };
  const onKey = (event: KeyboardEvent): void => {
    if (event.key === key) overlay.toggle();
  };
  addEventListener('keydown', onKey);
  if (!visible) canvas.style.display = 'none';
  const plot = new Plot(context, history, title);
  const tick = (): void => {
    const started = performance.now();
    const reading = read(target);
    if (roundTrip !== undefined) reading.rtt = roundTrip();
    history.record(reading);
    if (overlay.visible) plot.frame();
    cost = cost === 0 ? performance.now() - started : 0.9 * cost + 0.1 * (performance.now() - started);
    frame = requestAnimationFrame(tick);
  };
  frame = requestAnimationFrame(tick);
  return overlay;
}

/**
 * The drawing, made cheap per frame: a sweep, as an oscilloscope draws. Each frame fills one
 * column (the newest sample of each series, joined to the one before by a vertical stroke) and
 * clears the few after it; the whole panel is drawn again only when a scale changes, and the
 * labels four times a second.
 */
class Plot {
  private scales: number[] = ROWS.map((row) => row.floor);
  private frames = 0;

  constructor(
    private readonly context: CanvasRenderingContext2D,
    private readonly history: History,
    private readonly title: string,
  ) {}

  frame(): void {
    const history = this.history;
    let rescaled = false;
    for (let row = 0; row < ROWS.length; row++) {
      const { series, floor } = ROWS[row]!;
      let scale = floor;
      for (const [name] of series) scale = Math.max(scale, history.max(name, floor));
      // a scale that grew, or fell to under a quarter, is a new scale
      if (scale > this.scales[row]! || scale < this.scales[row]! / 4) {
        this.scales[row] = scale;
        rescaled = true;
      }
    }
    if (rescaled || this.frames === 0) this.full();
    else this.sweep();
    if (this.frames++ % 15 === 0) this.labels();
  }

  private y(row: number, value: number): number {
    return Math.round(row * ROW + ROW - 2 - (value / this.scales[row]!) * (ROW - 15));
  }

  /** The column of the sample `age` frames old. */
  private column(age: number): number {
    return (this.history.frames - 1 - age) % WIDTH;
  }

  private sweep(): void {
    const context = this.context;
    const x = this.column(0);
    context.fillStyle = BACKGROUND;
    for (let row = 0; row < ROWS.length; row++) context.fillRect(x, row * ROW + 13, Math.min(4, WIDTH - x), ROW - 13);
    for (let row = 0; row < ROWS.length; row++) this.point(row, 0, x);
  }

  /** The samples of `age` in their column, each joined to the one before it. */
  private point(row: number, age: number, x: number): void {
    const context = this.context;
    for (const [name, color] of ROWS[row]!.series) {
      const y = this.y(row, this.history.at(name, age));
      const before = this.history.frames > age + 1 ? this.y(row, this.history.at(name, age + 1)) : y;
      context.fillStyle = color;
      context.fillRect(x, Math.min(y, before), 1, Math.abs(y - before) + 1);
    }
  }

  private full(): void {
    const { context, history } = this;
    context.fillStyle = BACKGROUND;
    context.fillRect(0, 0, WIDTH, HEIGHT);
    const count = Math.min(history.frames, history.length, WIDTH - 4);
    for (let age = count - 1; age >= 0; age--) {
      const x = this.column(age);
      for (let row = 0; row < ROWS.length; row++) this.point(row, age, x);
    }
    this.labels();
  }

  private labels(): void {
    const context = this.context;
    const history = this.history;
    context.font = '10px monospace';
    for (let row = 0; row < ROWS.length; row++) {
      context.fillStyle = BACKGROUND;
      context.fillRect(0, row * ROW, WIDTH, 13);
      context.fillStyle = '#ccc';
      context.fillText(ROWS[row]!.label(history), 4, row * ROW + 10, TEXT_WIDTH);
    }
    const latest = history.latest!;
    context.fillStyle = BACKGROUND;
    context.fillRect(0, HEIGHT - FOOTER, WIDTH, FOOTER);
    context.fillStyle = '#ccc';
    context.fillText(this.title, 4, HEIGHT - 18, TEXT_WIDTH);
    context.fillText(
      `coalesced ${latest.coalesced} · dropped ${latest.dropped} · reconnects ${latest.reconnects}`,
      4,
      HEIGHT - 5,
      TEXT_WIDTH,
    );
  }
}
