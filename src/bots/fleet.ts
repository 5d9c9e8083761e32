/**
 * A bot fleet for load-testing a game server: `bots` sockets on one {@link SocketManager},
 * pumped by one fixed-step loop at `hz`, each running the game's `script` every step. Round
 * trips and this process's event-loop lag are kept in Node's HDR histograms, so the reports
 * of several workers merge exactly.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { startFixedStep } from '../loops.js';
import { SocketManager } from '../manager.js';
import type { NetworkPresetName } from '../network/conditions.js';
import type { NetworkLabOptions } from '../network/lab.js';
import { WebSocket as NodeWebSocket, type NodeWebSocketOptions } from '../node.js';
import { checkFleetOptions } from './options.js';

/** One bot, as its script sees it. */
export interface Bot {
  /** 0 to `bots − 1`, over every worker. */
  readonly index: number;
  /** Its socket (handlers added in `setup` run inside the fleet's `update()`). */
  readonly socket: NodeWebSocket;
  /** Send, counted in the report. */
  send(data: string | Uint8Array): void;
  /** Record one round trip, in ms (a script that times its own pings); without any, the report samples `socket.latency`. */
  recordRtt(ms: number): void;
  /** Whatever the script keeps for this bot. */
  readonly state: Record<string, unknown>;
}

/** What a bot does: the module a `--script` file exports (as `default`, or these names). */
export interface BotScript {
  /** Before `open()`: add handlers, set state. */
  setup?(bot: Bot): void;
  /** Every step while the bot is open and past its think time. */
  tick?(bot: Bot, tick: number): void;
}

/** How a fleet runs. */
export interface FleetOptions {
  /** The server, `ws:` or `wss:`. */
  url: string;
  /** How many bots (in this process, or over every worker with `workers`). */
  bots: number;
  /** Steps per second. Default 20. */
  hz?: number;
  /** Stop after this long, in seconds (warm-up included). */
  seconds: number;
  /** What each bot does (default: a 16-byte input every step). */
  script?: BotScript;
  /** Bots started per second (default: all at once). */
  rampUp?: number;
  /** Each bot waits this long after its `open` before its first tick, in ms. */
  think?: number;
  /** Every bot through a network lab with these conditions (each bot its own seed). */
  network?: NetworkPresetName | NetworkLabOptions;
  /** More socket options (headers, queue limits...). */
  socket?: NodeWebSocketOptions;
  /** Leave the first this many seconds (the ramp-up) out of the figures: messages, round trips, loop lag. */
  warmUp?: number;
  /** Once a second, with the figures so far. */
  onStatus?: (status: FleetStatus) => void;
  /** Stop before `seconds` when this aborts (Ctrl-C in `ticksocket-bots`): the bots close, the report covers what ran. */
  signal?: AbortSignal;
  /** Index of this process's first bot (workers). */
  firstIndex?: number;
}

/** The live figures, once a second. */
export interface FleetStatus {
  /** Bots open now. */
  open: number;
  /** Bots in the fleet. */
  bots: number;
  /** Messages received per second, over the last second. */
  inPerSecond: number;
  /** Messages sent per second, over the last second. */
  outPerSecond: number;
  /** Round trip, median so far (ms). */
  rttP50: number;
  /** Round trip, 99th percentile so far (ms). */
  rttP99: number;
  /** This process's event-loop lag, 99th percentile so far (ms). */
  loopLagP99: number;
}

/** What a fleet reports at the end (histograms are in microseconds). */
export interface FleetReport {
  /** Bots in the fleet. */
  bots: number;
  /** Bots that opened at least once. */
  connected: number;
  /** Bots that never opened. */
  failed: number;
  /** Bots whose `closed` was dispatched exactly once. */
  closedOnce: number;
  /** Messages received (after the warm-up). */
  messagesIn: number;
  /** Messages sent (after the warm-up). */
  messagesOut: number;
  /** How long the figures cover, in seconds. */
  seconds: number;
  /** Error codes dispatched, and how often. */
  errors: Record<string, number>;
  /** Round trips (µs). */
  rtt: RecordableHistogram;
  /** This process's event-loop delay (µs): a slow bot host is never mistaken for a slow server. */
  loopLag: RecordableHistogram;
}

/** Slots a step is cut into, at most, and the bots that make one more worth it. */
const MAX_PHASES = 10;
const BOTS_PER_PHASE = 100;

/** A send owns its data when it returns, so every bot can send the same input buffer. */
const INPUT = new Uint8Array(16);
const DEFAULT_SCRIPT: BotScript = {
  tick(bot) {
    bot.send(INPUT);
  },
};

/** Run a fleet in this process until `seconds` pass; resolves when every bot's `closed` was dispatched. */
export function runFleet(options: FleetOptions): Promise<FleetReport> {
  const {
    url,
    bots,
    hz = 20,
    seconds,
    rampUp,
    think = 0,
    network,
    onStatus,
    firstIndex = 0,
    warmUp = 0,
  } = checkFleetOptions(options);
  const script = options.script ?? DEFAULT_SCRIPT;
  const manager = new SocketManager();
  const rtt = createHistogram();
  const loopLag = createHistogram();
  const stopLagProbe = probeLoopLag(loopLag);
  const report: Omit<FleetReport, 'rtt' | 'loopLag'> = {
    bots,
    connected: 0,
    failed: 0,
    closedOnce: 0,
    messagesIn: 0,
    messagesOut: 0,
    seconds: 0,
    errors: {},
  };
  const fleet: { bot: Bot; openedAt: number; closed: number; timed: boolean }[] = [];
  const started = performance.now();
  let warm = warmUp === 0;

  const start = (i: number): void => {
    const index = firstIndex + i;
    const conditions =
      network === undefined
        ? undefined
        : typeof network === 'string'
          ? { preset: network, seed: index + 1 }
          : { seed: index + 1, ...network };
    const socket = new NodeWebSocket(url, { pingInterval: 1000, ...options.socket, manager, network: conditions });
    const entry = { bot: undefined as unknown as Bot, openedAt: Number.NaN, closed: 0, timed: false };
    entry.bot = {
      index,
      socket,
      state: {},
      send(data) {
        if (!socket.isOpen) return;
        socket.send(data);
        report.messagesOut++;
      },
      recordRtt(ms) {
        entry.timed = true;
        rtt.record(Math.max(1, Math.round(ms * 1000)));
      },
    };
    socket.on('open', () => {
      entry.openedAt = performance.now();
      report.connected++;
    });
    socket.on('message', () => void report.messagesIn++);
    socket.on('binary', () => void report.messagesIn++);
    socket.on('error', (_s, error) => {
      report.errors[error.code] = (report.errors[error.code] ?? 0) + 1;
    });
    socket.on('closed', () => void entry.closed++);
    script.setup?.(entry.bot);
    fleet.push(entry);
    socket.open();
  };

  return new Promise((resolve) => {
    let stopping = false;
    let lastStatus = started;
    let lastIn = 0;
    let lastOut = 0;
    let measuredFrom = started;
    // The bots are spread over `phases` slots of each step, so that their sends (and the echoes)
    // come as small bursts instead of one: the loop runs phases × hz times a second and each bot
    // ticks in its own slot, still hz times a second.
    const phases = Math.min(MAX_PHASES, Math.max(1, Math.ceil(bots / BOTS_PER_PHASE)));
    const stop = startFixedStep(manager, {
      hz: hz * phases,
      // A fleet behind its schedule skips the slots it missed, as a real client's timer does: run
      // back to back, they would be a burst of sends no real client makes, and the lag it measures.
      maxCatchUpSteps: 1,
      onTick: (_dt, step) => {
        const now = performance.now();
        const due = rampUp === undefined ? bots : Math.min(bots, Math.floor(((now - started) / 1000) * rampUp) + 1);
        while (!stopping && fleet.length < due) start(fleet.length);
        if (!stopping) {
          const tick = Math.floor(step / phases);
          for (let i = step % phases; i < fleet.length; i += phases) {
            const entry = fleet[i]!;
            if (entry.bot.socket.isOpen && now - entry.openedAt >= think) script.tick?.(entry.bot, tick);
          }
        }
        if (!warm && now - started >= warmUp * 1000) {
          warm = true;
          rtt.reset();
          loopLag.reset();
          report.messagesIn = report.messagesOut = lastIn = lastOut = 0;
          measuredFrom = now;
        }
        if (now - lastStatus >= 1000) {
          sampleLatency(fleet, rtt);
          const elapsed = (now - lastStatus) / 1000;
          onStatus?.({
            open: fleet.filter((entry) => entry.bot.socket.isOpen).length,
            bots,
            inPerSecond: (report.messagesIn - lastIn) / elapsed,
            outPerSecond: (report.messagesOut - lastOut) / elapsed,
            rttP50: rtt.count === 0 ? 0 : rtt.percentile(50) / 1000,
            rttP99: rtt.count === 0 ? 0 : rtt.percentile(99) / 1000,
            loopLagP99: loopLag.count === 0 ? 0 : loopLag.percentile(99) / 1000,
          });
          lastStatus = now;
          lastIn = report.messagesIn;
          lastOut = report.messagesOut;
        }
        if (!stopping && (now - started >= seconds * 1000 || options.signal?.aborted === true)) {
          stopping = true;
          manager.closeAll(1000, 'fleet done');
        }
        if (stopping && manager.size === 0) {
          stop();
          stopLagProbe();
          report.seconds = (performance.now() - measuredFrom) / 1000;
          for (const entry of fleet) {
            if (Number.isNaN(entry.openedAt)) report.failed++;
            if (entry.closed === 1) report.closedOnce++;
          }
          resolve({ ...report, rtt, loopLag });
        }
      },
    });
  });
}

/** Bots whose script records no round trips contribute their smoothed `latency`, once a second. */
function sampleLatency(fleet: readonly { bot: Bot; timed: boolean }[], rtt: RecordableHistogram): void {
  for (const { bot, timed } of fleet) {
    const latency = bot.socket.latency;
    if (!timed && latency > 0) rtt.record(Math.max(1, Math.round(latency * 1000)));
  }
}

const LAG_PROBE_MS = 10;

/**
 * Event-loop lag as a timer every 10 ms sees it: how late it fires, in µs, into a histogram
 * that merges (Node's own `monitorEventLoopDelay` gives one that does not).
 */
function probeLoopLag(into: RecordableHistogram): () => void {
  let expected = performance.now() + LAG_PROBE_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    into.record(Math.max(1, Math.round((now - expected) * 1000)));
    expected = now + LAG_PROBE_MS;
  }, LAG_PROBE_MS);
  return () => clearInterval(timer);
}
