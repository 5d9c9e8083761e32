// Bots for the sample room: each joins, heads for a coin of its own (a timed binary input every
// step), pings twice a second for RTT, and chats now and then. All of them share one
// SocketManager pumped by a fixed-step loop, so every handler runs at a known point of the step.
import { type NetworkPresetName, SocketManager, startFixedStep, WebSocket } from 'ticksocket';
import { type FormattedStats, formatStats } from 'ticksocket/devtools';
import {
  type Coin,
  decodeSnapshot,
  encodeInput,
  encodePing,
  MAX_INPUT_MS,
  PING,
  parseText,
  readPingTime,
  SNAPSHOT,
} from '../shared/protocol.js';

export interface BotOptions {
  url: string;
  bots: number;
  hz: number;
  /** Stop after this many seconds (undefined: until `stop()`). */
  seconds?: number;
  /** Play every bot through the network lab with this preset (each bot its own seed). */
  net?: NetworkPresetName;
  /** Called once a second with a one-line status (the fleet's, then the manager's `formatStats` line). */
  onStatus?: (line: string, status: FleetStatus) => void;
}

export interface BotReport {
  opened: boolean;
  sent: number;
  received: number;
  snapshots: number;
  /** Coins this bot picked up, by the last snapshot it saw. */
  score: number;
  closedEvents: number;
  closeCode: number;
  errors: string[];
}

export interface FleetStatus {
  connected: number;
  inPerSecond: number;
  outPerSecond: number;
  rttP50: number;
  rttP99: number;
}

export interface Fleet {
  /** Resolves when the fleet has stopped and every socket dispatched its `closed`. */
  done: Promise<BotReport[]>;
  stop(): void;
}

const RTT_WINDOW = 512;

export function runBots({ url, bots, hz, seconds, net, onStatus }: BotOptions): Fleet {
  const manager = new SocketManager();
  const reports: BotReport[] = [];
  const rtts: number[] = [];
  let received = 0;
  let sent = 0;

  const sockets = Array.from({ length: bots }, (_, index) => {
    const report: BotReport = {
      opened: false,
      sent: 0,
      received: 0,
      snapshots: 0,
      score: 0,
      closedEvents: 0,
      closeCode: 0,
      errors: [],
    };
    reports.push(report);
    const network = net === undefined ? undefined : { preset: net, seed: index + 1 };
    // Protocol pings once a second feed the manager's round trip (formatStats); the bots' own pings give percentiles.
    const socket = new WebSocket(url, { manager, network, pingInterval: 1000 });
    const send = (data: string | Uint8Array): void => {
      socket.send(data);
      report.sent++;
      sent++;
    };
    socket.on('open', () => {
      report.opened = true;
      send(JSON.stringify({ type: 'join', name: `bot-${index + 1}` }));
    });
    socket.on('binary', (s, data) => {
      report.received++;
      received++;
      if (data[0] === SNAPSHOT) {
        report.snapshots++;
        const snapshot = decodeSnapshot(data);
        const me = snapshot.players.find((player) => player.id === bot.id);
        if (me !== undefined) {
          report.score = me.score;
          bot.heading = toward(me, snapshot.coins[index % Math.max(1, snapshot.coins.length)]);
        }
      } else if (data[0] === PING) {
        // Arrival time, not dispatch time: the reply waited for this step in the queue.
        rtts.push(s.eventTime - readPingTime(data));
        if (rtts.length > RTT_WINDOW) rtts.shift();
      }
    });
    socket.on('message', (_s, text) => {
      report.received++;
      received++;
      const message = parseText(text); // a real bot would react to chat here
      if (message?.type === 'welcome') bot.id = message.id;
    });
    socket.on('error', (_s, error) => report.errors.push(error.code));
    socket.on('closed', (_s, code) => {
      report.closedEvents++;
      report.closeCode = code;
    });
    const bot = { socket, send, id: 0, seq: 0, heading: [0, 0] as [number, number] };
    socket.open();
    return bot;
  });

  let stopping = false;
  let resolveDone!: (reports: BotReport[]) => void;
  const done = new Promise<BotReport[]>((resolve) => (resolveDone = resolve));
  let lastStatusAt = performance.now();
  let lastIn = 0;
  let lastOut = 0;
  const started = performance.now();
  const inputMs = Math.min(MAX_INPUT_MS, Math.round(1000 / hz));
  let managerStats: FormattedStats | undefined;

  const stopLoop = startFixedStep(manager, {
    hz,
    onTick: (_dt, tick) => {
      if (!stopping) {
        for (const bot of sockets) {
          if (!bot.socket.isOpen) continue;
          if (bot.heading[0] !== 0 || bot.heading[1] !== 0)
            bot.send(encodeInput(++bot.seq, bot.heading[0], bot.heading[1], inputMs));
          if (tick % Math.max(1, Math.round(hz / 2)) === 0) bot.send(encodePing(performance.now()));
          if (Math.random() < 0.002) bot.send(JSON.stringify({ type: 'chat', text: `hello from tick ${tick}` }));
        }
      }
      const now = performance.now();
      if (now - lastStatusAt >= 1000) {
        const elapsed = (now - lastStatusAt) / 1000;
        const sorted = [...rtts].sort((a, b) => a - b);
        const status: FleetStatus = {
          connected: sockets.filter((bot) => bot.socket.isOpen).length,
          inPerSecond: (received - lastIn) / elapsed,
          outPerSecond: (sent - lastOut) / elapsed,
          rttP50: percentile(sorted, 0.5),
          rttP99: percentile(sorted, 0.99),
        };
        managerStats = formatStats(manager, managerStats, now);
        onStatus?.(
          `bots ${status.connected}/${bots}${net === undefined ? '' : ` (net ${net})`} · rtt p50 ${status.rttP50.toFixed(2)} ms p99 ${status.rttP99.toFixed(2)} ms · ${managerStats.line}`,
          status,
        );
        lastStatusAt = now;
        lastIn = received;
        lastOut = sent;
      }
      if (!stopping && seconds !== undefined && now - started >= seconds * 1000) stop();
      if (stopping && manager.size === 0) {
        stopLoop();
        resolveDone(reports);
      }
    },
  });

  function stop(): void {
    if (stopping) return;
    stopping = true;
    manager.closeAll(1000, 'bot done');
  }

  return { done, stop };
}

/** The direction of a coin, on each axis (none within a step of it). Each bot has its own coin: they spread out. */
function toward(at: { x: number; y: number }, coin: Coin | undefined): [number, number] {
  if (coin === undefined) return [0, 0];
  const axis = (delta: number) => (Math.abs(delta) < 4 ? 0 : Math.sign(delta));
  return [axis(coin.x - at.x), axis(coin.y - at.y)];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
