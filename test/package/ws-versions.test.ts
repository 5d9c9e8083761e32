// The Node transport relies on `ws`'s private Receiver internals (src/transports/node/receiver-hook.ts),
// so package.json allows only the ws versions tested: this runs the packed package with the
// oldest and the newest of them, each installed into an app of its own, against a server of
// that ws: compressed and plain, whole and fragmented messages, text and binary, in order, with
// no warning (a hook that misbehaves is refused at load, with a warning, and ws's own path used).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const range: string = JSON.parse(readFileSync('package.json', 'utf8')).dependencies.ws;
const oldest = /^>=(\d+\.\d+\.\d+)/.exec(range)?.[1];
const newest: string = JSON.parse(readFileSync('package-lock.json', 'utf8')).packages['node_modules/ws'].version;
const apps: string[] = [];
let tarball = '';

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'ticksocket-pack-'));
  apps.push(dir);
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { encoding: 'utf8' }));
  tarball = join(dir, packed.filename);
}, 120_000);

afterAll(() => {
  for (const app of apps) rmSync(app, { recursive: true, force: true });
});

/** Runs in the app: a server of the app's ws sends, ticksocket receives; prints what it saw. */
const SCRIPT = `
import { WebSocketServer } from 'ws';
import { createHash } from 'node:crypto';
import { WebSocket } from 'ticksocket';
const warnings = [];
process.on('warning', (warning) => warnings.push(warning.message));
const sent = [];
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 64 } }, () => {
  const socket = new WebSocket('ws://127.0.0.1:' + wss.address().port + '/');
  const received = [];
  socket.on('message', (_s, text) => received.push('t' + text));
  socket.on('binary', (_s, data) => received.push('b' + Buffer.from(data).toString('hex')));
  socket.on('closed', (_s, code) => {
    const digest = (list) => createHash('sha256').update(list.join('|')).digest('hex');
    console.log(JSON.stringify({ warnings, code, count: received.length, same: digest(received) === digest(sent) }));
    wss.close();
    process.exit(0);
  });
  socket.open();
  const pump = () => { socket.update(); if (socket.state !== 'closed') setImmediate(pump); };
  pump();
});
wss.on('connection', (client) => {
  for (let i = 0; i < 300; i++) {
    const size = i % 7 === 0 ? 70_000 : i % 3 === 0 ? 300 : 20;
    const body = Buffer.alloc(size, i & 0xff);
    if (i % 2 === 0) {
      const text = String(i).padEnd(size, 'x');
      sent.push('t' + text);
      if (i % 5 === 0) { client.send(text.slice(0, 10), { fin: false }); client.send(text.slice(10), { fin: true }); }
      else client.send(text);
    } else {
      sent.push('b' + body.toString('hex'));
      client.send(body, { binary: true });
    }
  }
  client.close(4000, 'done');
});
`;

describe.each([
  ['oldest', oldest],
  ['newest', newest],
])('the %s allowed ws (%s)', (_name, version) => {
  it('receives every message whole and in order, through the hook (no warning)', async () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    const app = mkdtempSync(join(tmpdir(), `ticksocket-ws-${version}-`));
    apps.push(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'game', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `ws@${version}`], {
      cwd: app,
      stdio: 'pipe',
    });
    const installed = JSON.parse(readFileSync(join(app, 'node_modules/ws/package.json'), 'utf8')).version;
    expect(installed).toBe(version);
    writeFileSync(join(app, 'check.mjs'), SCRIPT);
    const { stdout } = await promisify(execFile)(process.execPath, ['check.mjs'], { cwd: app, timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ warnings: [], code: 4000, count: 300, same: true });
  }, 120_000);
});
