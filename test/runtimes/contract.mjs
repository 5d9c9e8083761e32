// The runtime contract: what every runtime's `import 'ticksocket'` must do, run inside that
// runtime (bun, deno, node) against the servers test/runtimes/runtimes.test.ts starts in Node.
//   <runtime> contract.mjs '<json of server URLs>'
// Prints one line per case: RESULT {"name", "ok", "detail"}; the test asserts each.
import { SocketManager, WebSocket } from 'ticksocket';

const urls = JSON.parse(globalThis.Deno ? globalThis.Deno.args[0] : process.argv[2]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function pumpUntil(target, done, what, timeoutMs = 10_000) {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timeout: ${what}`);
    target.update();
    await sleep(1);
  }
}

/** Every handler call of `socket`, in order: [kind, ...details]. */
function record(socket) {
  const log = [];
  socket.on('open', () => log.push(['open']));
  socket.on('message', (_s, text) => log.push(['message', text]));
  socket.on('binary', (_s, data) => log.push(['binary', data]));
  socket.on('error', (_s, error) => log.push(['error', error.code]));
  socket.on('errorDesc', () => {});
  socket.on('closed', (_s, code, reason) => log.push(['closed', code, reason]));
  return log;
}
const kinds = (log) => log.map(([kind]) => kind).join(',');

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 997) if (a[i] !== b[i]) return false;
  return a[a.length - 1] === b[b.length - 1];
}

const cases = {
  async 'round trips: text and binary from 0 B to 16 MiB, in order'() {
    const socket = new WebSocket(urls.echo);
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => socket.isOpen, 'open');
    const sizes = [0, 1, 125, 126, 65_535, 65_536, 1 << 20, 16 << 20];
    const sent = sizes.map((size) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 4096) bytes[i] = (i / 4096 + size) & 0xff;
      if (size > 0) bytes[size - 1] = 0x5a;
      return bytes;
    });
    socket.send('héllo, wörld');
    for (const bytes of sent) socket.send(bytes);
    await pumpUntil(socket, () => log.length === 2 + sizes.length, 'the echoes', 30_000);
    const echoes = log.slice(2).map(([, data]) => data);
    const ok = log[1][1] === 'héllo, wörld' && echoes.every((data, i) => sameBytes(data, sent[i]));
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed', 'closed');
    return { ok, detail: `${kinds(log)} sizes ${echoes.map((d) => d.length).join(' ')}` };
  },

  async 'handlers run only inside update()'() {
    const socket = new WebSocket(urls.echo);
    const log = record(socket);
    socket.open();
    await sleep(200); // the connection opens meanwhile; nothing may be dispatched
    const before = log.length;
    await pumpUntil(socket, () => socket.isOpen, 'open');
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed', 'closed');
    return { ok: before === 0 && kinds(log) === 'open,closed', detail: `${before} before update(); ${kinds(log)}` };
  },

  async 'request headers reach the server'() {
    const socket = new WebSocket(urls.headers, { headers: { authorization: 'Bearer runtime-token' } });
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => log.some(([kind]) => kind === 'message'), 'the headers');
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed', 'closed');
    return { ok: log[1][1] === 'Bearer runtime-token', detail: String(log[1][1]) };
  },

  async 'close(1001): the runtime sends it (only browsers refuse it) and the server echoes it'() {
    const socket = new WebSocket(urls.echo);
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => socket.isOpen, 'open');
    socket.close(1001, 'going away');
    await pumpUntil(socket, () => socket.state === 'closed', 'closed');
    const last = log.at(-1);
    return { ok: kinds(log) === 'open,closed' && last[1] === 1001, detail: JSON.stringify(log) };
  },

  async 'server close: its code and reason, closed once and last'() {
    const socket = new WebSocket(urls.close4000);
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => socket.state === 'closed', 'closed');
    socket.update();
    const last = log.at(-1);
    return { ok: kinds(log) === 'open,closed' && last[1] === 4000 && last[2] === 'bye', detail: JSON.stringify(log) };
  },

  async 'TCP reset mid-frame: error, then closed 1006 once'() {
    const socket = new WebSocket(urls.reset);
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => socket.state === 'closed', 'closed');
    socket.update();
    const ok = kinds(log) === 'open,message,error,closed' && log[1][1] === 'first' && log[3][1] === 1006;
    return { ok, detail: JSON.stringify(log) };
  },

  async 'refused connection: error, then closed 1006'() {
    const socket = new WebSocket(urls.refused);
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => socket.state === 'closed', 'closed');
    return { ok: kinds(log) === 'error,closed' && log[1][1] === 1006, detail: JSON.stringify(log) };
  },

  async '4xx handshake: error, then closed 1006'() {
    const socket = new WebSocket(urls.forbidden);
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => socket.state === 'closed', 'closed');
    return { ok: kinds(log) === 'error,closed' && log[1][1] === 1006, detail: JSON.stringify(log) };
  },

  async 'flood while not pumped: bounded (paused, or queue_overflow), nothing lost silently'() {
    const queue = { highWaterBytes: 4 << 20, lowWaterBytes: 2 << 20, maxBytes: 16 << 20 };
    const socket = new WebSocket(urls.flood, { queue, maxPayload: 1 << 20, perMessageDeflate: false });
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => socket.isOpen, 'open');
    await sleep(1500); // the server writes 64 MiB meanwhile; the game is in its pause menu
    const queuedWhilePaused = socket.stats.peakRetainedBytes;
    await pumpUntil(socket, () => socket.state === 'closed' || log.length === 1 + 1024, 'the flood', 30_000);
    let inOrder = true;
    const binaries = log.filter(([kind]) => kind === 'binary');
    for (let i = 0; i < binaries.length; i++) {
      const data = binaries[i][1];
      if (new DataView(data.buffer, data.byteOffset).getUint32(0, true) !== i) inOrder = false;
    }
    const overflowed = log.some(([kind, code]) => kind === 'error' && code === 'queue_overflow');
    const bounded = queuedWhilePaused <= queue.maxBytes + (1 << 20);
    const whole = binaries.length === 1024;
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed', 'closed');
    return {
      ok: bounded && inOrder && (whole || overflowed),
      detail: `${whole ? 'all 1024 arrived' : overflowed ? `queue_overflow after ${binaries.length}` : `only ${binaries.length}`}; peak retained ${queuedWhilePaused} B`,
      paused: whole,
    };
  },

  async 'a manager over 100 sockets: every echo, every closed once'() {
    const manager = new SocketManager();
    const sockets = Array.from({ length: 100 }, () => new WebSocket(urls.echo, { manager }));
    const echoes = new Map();
    const closed = new Map();
    for (const socket of sockets) {
      echoes.set(socket, []);
      closed.set(socket, 0);
      socket.on('open', (s) => {
        for (let i = 0; i < 10; i++) s.send(`m${i}`);
      });
      socket.on('message', (_s, text) => echoes.get(socket).push(text));
      socket.on('closed', () => closed.set(socket, closed.get(socket) + 1));
      socket.open();
    }
    const all = () => sockets.every((socket) => echoes.get(socket).length === 10);
    await pumpUntil(manager, all, '1000 echoes', 20_000);
    manager.closeAll();
    await pumpUntil(manager, () => manager.size === 0, 'all closed', 10_000);
    manager.update();
    const inOrder = sockets.every((socket) => echoes.get(socket).join() === 'm0,m1,m2,m3,m4,m5,m6,m7,m8,m9');
    const once = sockets.every((socket) => closed.get(socket) === 1);
    return { ok: inOrder && once, detail: `in order ${inOrder}, closed once ${once}` };
  },

  async 'heartbeat: protocol pings measure the round trip'() {
    const socket = new WebSocket(urls.echo, { pingInterval: 30 });
    socket.open();
    await pumpUntil(socket, () => socket.latency > 0, 'a pong');
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed', 'closed');
    return { ok: socket.latency > 0, detail: `latency ${socket.latency.toFixed(2)} ms` };
  },
};

for (const [name, run] of Object.entries(cases)) {
  let result;
  try {
    result = await run();
  } catch (error) {
    result = { ok: false, detail: String(error?.stack ?? error) };
  }
  console.log(`RESULT ${JSON.stringify({ name, ...result })}`);
}
if (globalThis.Deno) globalThis.Deno.exit(0);
else process.exit(0);
