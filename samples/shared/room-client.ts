// The browser games' side of the sample room, shared by the PixiJS and Babylon.js samples:
// keyboard input as binary, pings for RTT, chat as text, and remote players interpolated
// between snapshots by the time each snapshot *arrived* (socket.eventTime), not the frame time.
import {
  createWorkerTransport,
  NETWORK_PRESETS,
  type NetworkLab,
  type NetworkPresetName,
  networkLab,
  ReconnectingWebSocket,
} from 'ticksocket';
import { attachOverlay } from 'ticksocket/devtools';
import {
  decodeSnapshot,
  encodeInput,
  encodePing,
  PING,
  parseText,
  readPingTime,
  SNAPSHOT,
  TICK_HZ,
} from './protocol.js';

/** Render this far in the past, so there are two snapshots to interpolate between. */
const INTERPOLATION_DELAY_MS = 2.5 * (1000 / TICK_HZ);
const TICK_MS = 1000 / TICK_HZ;
const SNAPSHOTS_KEPT = 32;

interface TimedSnapshot {
  arrival: number;
  positions: Map<number, { x: number; y: number }>;
}

export interface ChatLine {
  from: string;
  text: string;
}

export class RoomClient {
  /** Reconnects by itself when the server goes away (and comes back). */
  readonly socket: ReconnectingWebSocket;
  myId = 0;
  rttMs = 0;
  readonly chat: ChatLine[] = [];
  /** Lines ever added to `chat` (it keeps the last 50): the HUD redraws when this changes. */
  chatCount = 0;
  /** Messages dispatched per second, and events dispatched by the last update(). */
  messagesPerSecond = 0;
  /** The simulated network the socket runs through (no conditions unless the page asked: `?net=3g`). */
  readonly network: NetworkLab;
  /**
   * How unevenly snapshots arrive, in ms (mean deviation of their gaps from the server's tick).
   * Interpolating by arrival time shows this as stutter unless the render delay covers it, so
   * the delay grows with it.
   */
  snapshotJitterMs = 0;
  private lastSnapshotAt = Number.NaN;
  private readonly snapshots: TimedSnapshot[] = [];
  private readonly names = new Map<number, string>();
  private heading: [number, number] = [0, 0];
  private lastInputSent = 0;
  private lastPingSent = 0;
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
    const reconnect = { minDelay: 250, maxDelay: 2_000 };
    this.network = networkLab(isPreset(net) ? { preset: net } : {});
    const network = this.network;
    this.socket = new ReconnectingWebSocket(
      url,
      viaWorker ? { transport: createWorkerTransport, reconnect, network } : { reconnect, network },
    );
    if (net !== null && !isPreset(net))
      this.addChat('ticksocket', `no network preset "${net}": ${presetNames().join(', ')}`);
    this.socket.on('open', (s) => s.send(JSON.stringify({ type: 'join', name })));
    this.socket.on('binary', (s, data) => {
      this.counted++;
      if (data[0] === SNAPSHOT) {
        const snapshot = decodeSnapshot(data);
        const positions = new Map(snapshot.players.map((player) => [player.id, { x: player.x, y: player.y }]));
        this.snapshots.push({ arrival: s.eventTime, positions });
        const gap = s.eventTime - this.lastSnapshotAt;
        if (gap >= 0) this.snapshotJitterMs += (Math.abs(gap - TICK_MS) - this.snapshotJitterMs) / 16;
        this.lastSnapshotAt = s.eventTime;
        if (this.snapshots.length > SNAPSHOTS_KEPT) this.snapshots.shift();
      } else if (data[0] === PING) {
        this.rttMs = s.eventTime - readPingTime(data);
      }
    });
    this.socket.on('message', (_s, text) => {
      this.counted++;
      const message = parseText(text);
      if (message?.type === 'welcome') this.myId = message.id;
      else if (message?.type === 'chat') {
        if (message.from !== undefined && message.name !== undefined) this.names.set(message.from, message.name);
        this.addChat(message.name ?? '?', message.text);
      }
    });
    this.socket.on('errorDesc', (_s, description) => this.addChat('ticksocket', description));
    this.socket.on('reconnecting', (_s, attempt, delayMs) => {
      this.snapshots.length = 0; // the players seen before the loss are stale: none is drawn until the next snapshot
      this.addChat('ticksocket', `connection lost: reconnecting (attempt ${attempt}) in ${delayMs} ms`);
    });
    this.socket.on('reconnected', () => this.addChat('ticksocket', 'reconnected'));
    this.socket.on('closed', (_s, code, reason) => this.addChat('ticksocket', `closed ${code} ${reason}`));
    this.socket.open();
  }

  /** Call once per frame, after `update()`: send the held direction and pings. */
  tick(now: number, heading: [number, number]): void {
    const measured = now - this.countStart;
    if (measured >= 1000) {
      this.messagesPerSecond = (this.counted * 1000) / measured;
      this.counted = 0;
      this.countStart = now;
    }
    if (!this.socket.isOpen) return;
    const changed = heading[0] !== this.heading[0] || heading[1] !== this.heading[1];
    if (changed || now - this.lastInputSent > 250) {
      this.heading = heading;
      this.socket.send(encodeInput(heading[0], heading[1]));
      this.lastInputSent = now;
    }
    if (now - this.lastPingSent > 500) {
      this.socket.send(encodePing(now));
      this.lastPingSent = now;
    }
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

  /** How far in the past remote players are drawn: two and a half ticks, plus twice the arrival jitter. */
  get interpolationDelayMs(): number {
    return INTERPOLATION_DELAY_MS + 2 * this.snapshotJitterMs;
  }

  /** One line for the HUD: the conditions, and what the lab added to the last message. */
  get networkLine(): string {
    const { preset, down, up } = this.network.conditions;
    if (down.latency === 0 && down.bandwidth === 0 && up.latency === 0 && down.jitter === 0) return 'net: none';
    const rate = (bytes: number) => (bytes === 0 ? '∞' : `${Math.round(bytes / 1000)} KB/s`);
    return `net: ${preset ?? 'custom'} +${down.latency}±${down.jitter} ms each way, ↓${rate(down.bandwidth)} ↑${rate(up.bandwidth)}, ${down.loss}% loss · added ${this.network.stats.down.lastDelay.toFixed(0)} ms`;
  }

  /** Players' positions at `now`, interpolated between the snapshots around `now - delay` by arrival time. */
  positionsAt(now: number): Map<number, { x: number; y: number }> {
    const renderTime = now - this.interpolationDelayMs;
    const snapshots = this.snapshots;
    if (snapshots.length === 0) return new Map();
    let older = snapshots[0]!;
    let newer = older;
    for (const snapshot of snapshots) {
      if (snapshot.arrival <= renderTime) older = snapshot;
      else {
        newer = snapshot;
        break;
      }
      newer = snapshot;
    }
    const span = newer.arrival - older.arrival;
    const t = span > 0 ? Math.min(1, Math.max(0, (renderTime - older.arrival) / span)) : 1;
    const result = new Map<number, { x: number; y: number }>();
    for (const [id, to] of newer.positions) {
      const from = older.positions.get(id) ?? to;
      result.set(id, { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t });
    }
    return result;
  }
}

function isPreset(net: string | null): net is NetworkPresetName {
  return net !== null && Object.hasOwn(NETWORK_PRESETS, net);
}

function presetNames(): string[] {
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

/** The chat box and HUD, in plain DOM, shared by both samples; and the network overlay (F2 toggles it). */
export function mountHud(client: RoomClient): (hud: string) => void {
  attachOverlay(client.socket, { key: 'F2', title: 'room · F2 hides', roundTrip: () => client.rttMs });
  const panel = document.createElement('div');
  panel.id = 'hud';
  panel.innerHTML = `<div id="stats"></div><div id="net-line"></div><label>network <select id="net"></select></label><ul id="chat"></ul><input id="chat-input" placeholder="chat: type and press Enter" maxlength="200">`;
  document.body.appendChild(panel);
  const stats = panel.querySelector('#stats')!;
  const netLine = panel.querySelector('#net-line')!;
  const select = panel.querySelector<HTMLSelectElement>('#net')!;
  const current = client.network.conditions.preset ?? 'none';
  select.replaceChildren(
    ...['none', ...presetNames()].map((name) => new Option(name, name, name === current, name === current)),
  );
  select.addEventListener('change', () => client.setNetwork(select.value));
  const list = panel.querySelector('#chat')!;
  const input = panel.querySelector<HTMLInputElement>('#chat-input')!;
  input.addEventListener('keydown', (event) => {
    event.stopPropagation(); // typing is not steering
    if (event.key === 'Enter') {
      client.sendChat(input.value);
      input.value = '';
    }
  });
  let shown = 0;
  return (hud) => {
    stats.textContent = `${hud} · interp ${client.interpolationDelayMs.toFixed(0)} ms`;
    netLine.textContent = client.networkLine;
    if (client.chatCount !== shown) {
      list.replaceChildren(
        ...client.chat.slice(-8).map((line) => {
          const item = document.createElement('li');
          item.textContent = `${line.from}: ${line.text}`;
          return item;
        }),
      );
      shown = client.chatCount;
    }
  };
}

/** What the browser test reads. */
export function exposeForTests(client: RoomClient, engine: string): void {
  (globalThis as unknown as { game: unknown }).game = {
    engine,
    get myId() {
      return client.myId;
    },
    get playerIds() {
      return [...client.positionsAt(performance.now()).keys()].sort((a, b) => a - b);
    },
    get chat() {
      return client.chat.map((line) => `${line.from}: ${line.text}`);
    },
    get state() {
      return client.socket.state;
    },
    get reconnects() {
      return client.socket.stats.reconnects;
    },
    get viaWorker() {
      return client.viaWorker;
    },
    get rttMs() {
      return client.rttMs;
    },
    get network() {
      return client.network.conditions;
    },
    get networkLine() {
      return client.networkLine;
    },
    get interpolationDelayMs() {
      return client.interpolationDelayMs;
    },
    setNetwork(net: string) {
      client.setNetwork(net);
    },
    positionOf(id: number) {
      return client.positionsAt(performance.now()).get(id) ?? null;
    },
  };
}
