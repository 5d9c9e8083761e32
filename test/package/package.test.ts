// The package as a user gets it: the packed tarball installed into a fresh app, imported from
// Node (talking to a real server) and bundled for the browser without ws or node: modules.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllServers, startServer } from '../support/helpers.js';

let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'ticksocket-app-'));
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', app], { encoding: 'utf8' }));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'game', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(app, packed.filename)], {
    cwd: app,
    stdio: 'pipe',
  });
}, 120_000);

afterAll(async () => {
  await closeAllServers();
  rmSync(app, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('imports in Node and talks to a server', async () => {
    const server = await startServer((client) => client.on('message', (data) => client.send(`echo ${data}`)));
    const script = `
      import { WebSocket, startFixedStep, SocketManager } from 'ticksocket';
      const manager = new SocketManager();
      const socket = new WebSocket(process.argv[2], { manager });
      socket.on('open', (s) => s.send('hi'));
      socket.on('message', (s, text) => { console.log(text); s.close(); });
      socket.on('closed', (s, code) => { console.log('closed', code); stop(); });
      const stop = startFixedStep(manager, { hz: 100 });
      socket.open();
    `;
    writeFileSync(join(app, 'node-game.mjs'), script);
    // Asynchronously: the server lives in this process and must keep answering.
    const { stdout } = await promisify(execFile)(process.execPath, ['node-game.mjs', server.url], {
      cwd: app,
      timeout: 15_000,
    });
    expect(stdout.trim().split('\n')).toEqual(['echo hi', 'closed 1000']);
  });

  it('bundles for the browser without ws or any node: module', async () => {
    writeFileSync(
      join(app, 'browser-game.js'),
      "import { WebSocket } from 'ticksocket';\nexport const socket = new WebSocket('ws://127.0.0.1:1');\n",
    );
    const result = await build({
      entryPoints: [join(app, 'browser-game.js')],
      absWorkingDir: app,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('ticksocket/dist/browser.js'))).toBe(true);
    expect(inputs.filter((path) => /node_modules\/ws\//.test(path) || path.startsWith('node:'))).toEqual([]);
    expect(result.outputFiles[0]!.text).not.toMatch(/["']node:/);
  });

  it('ships its types for both conditions', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/ticksocket/package.json'), 'utf8'));
    expect(manifest.exports['.'].node.types).toBe('./dist/node.d.ts');
    expect(manifest.exports['.'].browser.types).toBe('./dist/browser.d.ts');
    expect(readFileSync(join(app, 'node_modules/ticksocket/dist/browser.d.ts'), 'utf8')).toMatch(/class WebSocket/);
  });
});
