// The browser games' side of the sample room, shared by the PixiJS and Babylon.js samples: the
// local player predicted and reconciled (prediction.ts), the others interpolated on the server's
// clock (`socket.serverNow()`, timeline.ts), coins and scores from snapshots, chat as text, the
// library's application ping for round trips, and a session that survives a reconnect.
import {
  createWorkerTransport,
  NETWORK_PRESETS,
  type NetworkLab,
  type NetworkPresetName,
  networkLab,
  ReconnectingWebSocket,
} from 'ticksocket';
import { Prediction } from './prediction.js';
import {
  type Coin,
  decodeSnapshot,
  encodeInput,
  encodePing,
  PING,
  parseText,
  readServerTime,
  SNAPSHOT,
  TICK_HZ,
} from './protocol.js';
import { type Positions, Timeline } from './timeline.js';

const TICK_MS = 1000 / TICK_HZ;

export interface ChatLine {
  from: string;
  text: string;
}

export interface ScoreLine {
  id: number;
  name: string;
  score: number;
}

export class RoomClient {
  /** Reconnects by itself when the server goes away (and comes back). */
  readonly socket: ReconnectingWebSocket;
  myId = 0;
  /** The server's token for this player: sent on every reconnect to come back as the same player. */
  session: string | undefined;
  /** Whether the last welcome resumed the session (same id, same score). */
  resumed = false;
  /** The attempt under way while the connection is down (1 for the first after a loss). */
  reconnectAttempt = 0;
  readonly chat: ChatLine[] = [];
  /** Lines ever added to `chat` (it keeps the last 50): the HUD redraws when this changes. */
  chatCount = 0;
  /** Messages dispatched per second. */
  messagesPerSecond = 0;
  /** The simulated network the socket runs through (no conditions unless the page asked: `?net=3g`). */
  readonly network: NetworkLab;
  /** The local player: where it is drawn (predicted) and where the server last put it. */
  readonly prediction = new Prediction();
  coins: Coin[] = [];
  /**
   * How unevenly snapshots arrive, in ms (mean deviation of their gaps from the server's tick):
   * the render delay covers it, so the others do not stutter.
   */
  snapshotJitterMs = 0;
  private lastSnapshotAt = Number.NaN;
  private readonly timeline = new Timeline();
  private readonly names = new Map<number, string>();
  private readonly scores = new Map<number, number>();
  private lastTickAt = Number.NaN;
  private counted = 0;
  private countStart = performance.now();

  /**
   * `viaWorker`: the socket's WebSocket runs in a Web Worker (the page's `?transport=worker`);
   * `net`: a network lab preset to play through (the page's `?net=3g`).
   */
  constructor(
    url: string,
    readonly name: string,
    readonly viaWorker = false,
    net: string | null = null,
  ) {
    this.network = networkLab(isPreset(net) ? { preset: net } : {});
    this.socket = new ReconnectingWebSocket(url, {
      transport: viaWorker ? createWorkerTransport : undefined,
      reconnect: { minDelay: 250, maxDelay: 2_000 },
      network: this.network,
      // Round trips and the server's clock from the library: pings twice a second, answered with
      // the server's time (the pongs never reach the handlers), snapshots carry it too.
      pingInterval: 500,
      appPing: { message: encodePing(0), reply: (data) => pongTime(data) },
      serverTime: readServerTime,
    });
    if (net !== null && !isPreset(net))
      this.addChat('ticksocket', `no network preset "${net}": ${presetNames().join(', ')}`);
    this.socket.on('open', (s) => s.send(JSON.stringify({ type: 'join', name, session: this.session })));
    this.socket.on('binary', (s, data) => {
      this.counted++;
      if (data[0] === SNAPSHOT) this.snapshot(data, s.eventTime);
    });
    this.socket.on('message', (_s, text) => {
      this.counted++;
      const message = parseText(text);
      if (message?.type === 'welcome') {
        this.myId = message.id;
        this.resumed = message.resumed && message.session === this.session;
        this.addChat('ticksocket', this.resumed ? `welcome back, #${message.id}` : `you are #${message.id}`);
        this.session = message.session;
      } else if (message?.type === 'roster') {
        this.names.clear();
        for (const player of message.players) this.names.set(player.id, player.name);
      } else if (message?.type === 'chat') this.addChat(message.name ?? '?', message.text);
    });
    this.socket.on('errorDesc', (_s, description) => this.addChat('ticksocket', description));
    this.socket.on('reconnecting', (_s, attempt, delayMs) => {
      this.reconnectAttempt = attempt;
      // What was seen before the loss is stale: nothing is drawn until the next snapshot.
      this.timeline.clear();
      this.prediction.reset();
      this.coins = [];
      this.addChat('ticksocket', `connection lost: reconnecting (attempt ${attempt}) in ${delayMs} ms`);
    });
    this.socket.on('reconnected', () => this.addChat('ticksocket', 'reconnected'));
    this.socket.on('closed', (_s, code, reason) => this.addChat('ticksocket', `closed ${code} ${reason}`));
    this.socket.open();
  }

  private snapshot(data: Uint8Array, arrival: number): void {
    const snapshot = decodeSnapshot(data);
    const others: Positions = new Map();
    this.scores.clear(); // the room as this snapshot has it
    for (const player of snapshot.players) {
      this.scores.set(player.id, player.score);
      if (player.id === this.myId) this.prediction.reconcile(player.x, player.y, player.acked);
      else others.set(player.id, { x: player.x, y: player.y });
    }
    this.timeline.push(snapshot.serverTime, others);
    this.coins = snapshot.coins;
    const gap = arrival - this.lastSnapshotAt;
    if (gap >= 0) this.snapshotJitterMs += (Math.abs(gap - TICK_MS) - this.snapshotJitterMs) / 16;
    this.lastSnapshotAt = arrival;
  }

  /** Call once per frame, after `update()`: predict the held direction and send it. */
  tick(now: number, heading: [number, number]): void {
    const measured = now - this.countStart;
    if (measured >= 1000) {
      this.messagesPerSecond = (this.counted * 1000) / measured;
      this.counted = 0;
      this.countStart = now;
    }
    const elapsed = Number.isNaN(this.lastTickAt) ? 0 : now - this.lastTickAt;
    this.lastTickAt = now;
    if (!this.socket.isOpen) return;
    this.prediction.advance(elapsed, heading[0], heading[1], (input) =>
      this.socket.send(encodeInput(input.seq, input.dx, input.dy, input.ms)),
    );
  }

  private addChat(from: string, text: string): void {
    this.chat.push({ from, text });
    if (this.chat.length > 50) this.chat.shift();
    this.chatCount++;
  }

  sendChat(text: string): void {
    if (this.socket.isOpen && text.trim() !== '') this.socket.send(JSON.stringify({ type: 'chat', text }));
  }

  /** Play through another preset from now on (`'none'`: a perfect network). */
  setNetwork(net: string): void {
    if (isPreset(net)) this.network.set(net);
    else this.network.clear();
  }

  /** Round trip in ms, smoothed (the library's application pings). */
  get rttMs(): number {
    return this.socket.latency;
  }

  /** How far behind the newest snapshot the others are drawn: two ticks, plus twice the arrival jitter. */
  get interpolationDelayMs(): number {
    return 2 * TICK_MS + 2 * this.snapshotJitterMs;
  }

  /** The server time the others are drawn at, for local time `now`; undefined before the clock is known. */
  renderServerTime(now: number): number | undefined {
    const serverNow = this.socket.serverNow(now);
    return serverNow === undefined ? undefined : serverNow - this.socket.latency / 2 - this.interpolationDelayMs;
  }

  /** One line for the HUD: the conditions, and what the lab added to the last message. */
  get networkLine(): string {
    const { preset, down, up } = this.network.conditions;
    if (down.latency === 0 && down.bandwidth === 0 && up.latency === 0 && down.jitter === 0) return 'net: none';
    const rate = (bytes: number) => (bytes === 0 ? '∞' : `${Math.round(bytes / 1000)} KB/s`);
    return `net: ${preset ?? 'custom'} +${down.latency}±${down.jitter} ms each way, ↓${rate(down.bandwidth)} ↑${rate(up.bandwidth)}, ${down.loss}% loss · added ${this.network.stats.down.lastDelay.toFixed(0)} ms`;
  }

  /** Every player's position at `now`: the others interpolated on the server's clock, this one predicted. */
  positionsAt(now: number): Positions {
    const at = this.renderServerTime(now);
    const positions = at === undefined ? new Map() : this.timeline.at(at);
    if (this.prediction.known) positions.set(this.myId, { ...this.prediction.position });
    return positions;
  }

  /** Everyone in the room by score, best first. */
  get scoreBoard(): ScoreLine[] {
    return [...this.scores]
      .map(([id, score]) => ({ id, name: this.names.get(id) ?? `#${id}`, score }))
      .sort((a, b) => b.score - a.score || a.id - b.id);
  }
}

/** A pong of the library's ping carries the server's clock. */
function pongTime(data: string | Uint8Array): { serverTime: number } | undefined {
  if (typeof data === 'string' || data[0] !== PING) return undefined;
  const serverTime = readServerTime(data);
  return serverTime === undefined ? undefined : { serverTime };
}

function isPreset(net: string | null): net is NetworkPresetName {
  return net !== null && Object.hasOwn(NETWORK_PRESETS, net);
}

export function presetNames(): string[] {
  return Object.keys(NETWORK_PRESETS);
}

/** Arrow keys / WASD held, as a direction. */
export function keyboardHeading(): () => [number, number] {
  const held = new Set<string>();
  addEventListener('keydown', (event) => held.add(event.key.toLowerCase()));
  addEventListener('keyup', (event) => held.delete(event.key.toLowerCase()));
  addEventListener('blur', () => held.clear());
  return () => [
    (held.has('arrowright') || held.has('d') ? 1 : 0) - (held.has('arrowleft') || held.has('a') ? 1 : 0),
    (held.has('arrowdown') || held.has('s') ? 1 : 0) - (held.has('arrowup') || held.has('w') ? 1 : 0),
  ];
}
