// Command line: node samples/dist/server.mjs [--port 8080] [--host 127.0.0.1]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startGameServer } from './server.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' } },
});
const server = await startGameServer({
  host: values.host,
  port: Number(values.port),
  staticDir: fileURLToPath(new URL('./web/', import.meta.url)),
});
console.log(`game room: ${server.url}\nbrowser samples: ${server.httpUrl}`);
process.once('SIGINT', () => void server.close());
