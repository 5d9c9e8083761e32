// `npm run demo`: the sample game server plus a handful of bots using ticksocket, with a live
// status line. Runs until Ctrl-C, or `--seconds N`; the options are in demo-args.mjs (`--help`).
import { fileURLToPath } from 'node:url';
import { onStopSignal } from 'ticksocket/bots';
import { runBots } from './bot/bots.js';
import { demoArgs } from './demo-args.mjs';
import { type GameServer, startGameServer } from './server/server.js';

const values = demoArgs(process.argv.slice(2));

const staticDir = fileURLToPath(new URL('./web/', import.meta.url));
let server: GameServer;
try {
  server = await startGameServer({ port: values.port, staticDir });
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
  console.log(`port ${values.port} is busy; using a free one`);
  server = await startGameServer({ port: 0, staticDir });
}

console.log(`ticksocket demo
  game room (WebSocket): ${server.url}
  PixiJS game:           ${server.httpUrl}pixi.html
  Babylon.js scene:      ${server.httpUrl}babylon.html
  (add ?transport=worker to either page to run its WebSocket in a Web Worker, ?net=3g to play on 3G)
  ${values.bots} bots at ${values.hz} Hz, pumped by one SocketManager from a fixed-step loop
  ${values.seconds === undefined ? 'Ctrl-C to stop' : `stopping after ${values.seconds} s`}
`);

const fleet = runBots({
  url: server.url,
  bots: values.bots,
  hz: values.hz,
  seconds: values.seconds,
  net: values.net,
  onStatus: (line) => {
    const room = `room ${server.players} players, ${coinsTaken()} coins taken`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line} · ${room}\x1b[K`);
    else console.log(`${line} · ${room}`);
  },
});
onStopSignal(() => fleet.stop()); // the bots close, then the summary

function coinsTaken(): number {
  let taken = 0;
  for (const player of server.room.players.values()) taken += player.score;
  return taken;
}

const reports = await fleet.done;
const best = reports.reduce((top, report, index) => (report.score > reports[top]!.score ? index : top), 0);
await server.close();
const opened = reports.filter((report) => report.opened).length;
const closedOnce = reports.filter((report) => report.closedEvents === 1).length;
const errors = reports.flatMap((report) => report.errors);
console.log(
  `\n${opened}/${reports.length} bots connected, ${closedOnce} closed exactly once; ` +
    `bot-${best + 1} collected the most coins (${reports[best]?.score ?? 0}); server received ${server.stats.received} and sent ${server.stats.sent} messages; errors: ${errors.length === 0 ? 'none' : errors.join(', ')}`,
);
process.exitCode = opened === reports.length && closedOnce === reports.length && errors.length === 0 ? 0 : 1;
