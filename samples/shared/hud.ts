// The page around the game, in plain DOM, shared by both samples: the stats line, the network
// selector, the score board, a banner while the connection is down, the chat, and the network
// overlay (F2 toggles it). Each part is redrawn only when what it shows changed.
import { attachOverlay } from 'ticksocket/devtools';
import { presetNames, type RoomClient } from './room-client.js';

export function mountHud(client: RoomClient): (hud: string) => void {
  attachOverlay(client.socket, { key: 'F2', title: 'room · F2 hides' });
  const banner = document.createElement('div');
  banner.id = 'banner';
  banner.hidden = true;
  document.getElementById('stage')!.appendChild(banner);
  const panel = document.createElement('div');
  panel.id = 'hud';
  panel.innerHTML = `<div id="stats"></div><div id="net-line"></div><label>network <select id="net"></select></label><div id="columns"><ol id="scores"></ol><div id="talk"><ul id="chat"></ul><input id="chat-input" placeholder="chat: type and press Enter" maxlength="200"></div></div>`;
  document.body.appendChild(panel);
  const stats = panel.querySelector('#stats')!;
  const netLine = panel.querySelector('#net-line')!;
  const select = panel.querySelector<HTMLSelectElement>('#net')!;
  const current = client.network.conditions.preset ?? 'none';
  select.replaceChildren(
    ...['none', ...presetNames()].map((name) => new Option(name, name, name === current, name === current)),
  );
  select.addEventListener('change', () => client.setNetwork(select.value));
  const scores = panel.querySelector('#scores')!;
  const list = panel.querySelector('#chat')!;
  const input = panel.querySelector<HTMLInputElement>('#chat-input')!;
  input.addEventListener('keydown', (event) => {
    event.stopPropagation(); // typing is not steering
    if (event.key === 'Enter') {
      client.sendChat(input.value);
      input.value = '';
    }
  });
  let chatShown = 0;
  let scoresShown = '';
  let bannerShown = '';
  return (hud) => {
    stats.textContent = `${hud} · interp ${client.interpolationDelayMs.toFixed(0)} ms`;
    netLine.textContent = client.networkLine;
    const preset = client.network.conditions.preset ?? 'none';
    if (select.value !== preset && document.activeElement !== select) select.value = preset; // set by code, too
    const state = client.socket.state;
    const message =
      state === 'reconnecting'
        ? `reconnecting… (attempt ${client.reconnectAttempt})`
        : state === 'connecting'
          ? 'connecting…'
          : state === 'closed'
            ? 'disconnected'
            : '';
    if (message !== bannerShown) {
      banner.textContent = message;
      banner.hidden = message === '';
      bannerShown = message;
    }
    const board = client.scoreBoard;
    const key = board.map((line) => `${line.id}:${line.name}:${line.score}`).join('|');
    if (key !== scoresShown) {
      scores.replaceChildren(
        ...board.slice(0, 8).map((line) => {
          const item = document.createElement('li');
          item.textContent = `${line.name} (#${line.id}) ${line.score}`;
          if (line.id === client.myId) item.className = 'mine';
          return item;
        }),
      );
      scoresShown = key;
    }
    if (client.chatCount !== chatShown) {
      list.replaceChildren(
        ...client.chat.slice(-8).map((line) => {
          const item = document.createElement('li');
          item.textContent = `${line.from}: ${line.text}`;
          return item;
        }),
      );
      chatShown = client.chatCount;
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
    get isolated() {
      return globalThis.crossOriginIsolated;
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
    get scores() {
      return client.scoreBoard;
    },
    get coins() {
      return client.coins;
    },
    get session() {
      return client.session;
    },
    get resumed() {
      return client.resumed;
    },
    /** The local player: drawn (predicted), and as the server last placed it; inputs in flight. */
    get local() {
      const { known, position, server, unanswered } = client.prediction;
      return known ? { x: position.x, y: position.y, serverX: server.x, serverY: server.y, unanswered } : null;
    },
    get banner() {
      const banner = document.getElementById('banner');
      return banner === null || banner.hidden ? '' : banner.textContent;
    },
    setNetwork(net: string) {
      client.setNetwork(net);
    },
    positionOf(id: number) {
      return client.positionsAt(performance.now()).get(id) ?? null;
    },
  };
}
