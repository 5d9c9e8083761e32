// Command line: node samples/dist/bot.mjs --url ws://127.0.0.1:8080/room --bots 20 --hz 30 [--seconds 10] [--net 3g]
import { parseArgs } from 'node:util';
import type { NetworkPresetName } from 'ticksocket';
import { runBots } from './bots.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'ws://127.0.0.1:8080/room' },
    bots: { type: 'string', default: '10' },
    hz: { type: 'string', default: '30' },
    seconds: { type: 'string' },
    net: { type: 'string' },
  },
});

const fleet = runBots({
  url: values.url,
  bots: Number(values.bots),
  hz: Number(values.hz),
  seconds: values.seconds === undefined ? undefined : Number(values.seconds),
  net: values.net as NetworkPresetName | undefined, // a name that is no preset: the first socket says which are
  onStatus: (line) => printStatus(line),
});
process.once('SIGINT', () => fleet.stop());
const reports = await fleet.done;
const opened = reports.filter((report) => report.opened).length;
const errors = reports.flatMap((report) => report.errors);
process.stdout.write(
  `\n${opened}/${reports.length} bots connected; errors: ${errors.length === 0 ? 'none' : errors.join(', ')}\n`,
);
process.exitCode = opened === reports.length && errors.length === 0 ? 0 : 1;

function printStatus(line: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r${line}\x1b[K`);
  else process.stdout.write(`${line}\n`);
}
