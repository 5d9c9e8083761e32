// The demo's command line, checked before anything is built: `npm run demo -- --help` and a
// mistyped flag answer at once, with the usage, instead of a stack trace after a rebuild.
import { parseArgs } from 'node:util';

/** The network lab's presets (the library's NETWORK_PRESETS; a test holds the two equal). */
export const NETWORK_PRESET_NAMES = ['lan', 'broadband', 'dsl', '4g', '3g', 'edge', 'satellite', 'congested-wifi'];

export const USAGE = `Usage: npm run demo -- [options]

Runs the sample game server and a handful of bots using ticksocket, and prints the URLs of the
PixiJS and Babylon.js pages. Runs until Ctrl-C, or for --seconds.

Options:
  --seconds N   stop after N seconds (default: run until Ctrl-C)
  --bots N      bots to start (default 8)
  --hz N        the bots' tick rate (default 30)
  --port N      the server's port (default 8080; a busy port is replaced by a free one, and said so)
  --net NAME    play the bots through the network lab: ${NETWORK_PRESET_NAMES.join(', ')}
  --help        this text`;

const OPTIONS = {
  seconds: { type: 'string' },
  bots: { type: 'string' },
  hz: { type: 'string' },
  port: { type: 'string' },
  net: { type: 'string' },
  help: { type: 'boolean', default: false },
};

/** What each numeric option must be. */
const RULES = {
  seconds: [(n) => n > 0, 'a number of seconds above 0'],
  bots: [(n) => Number.isInteger(n) && n >= 1 && n <= 10_000, 'a whole number from 1 to 10000'],
  hz: [(n) => n > 0 && n <= 1_000, 'a number from 1 to 1000'],
  port: [(n) => Number.isInteger(n) && n >= 0 && n <= 65_535, 'a port from 0 to 65535'],
};

/** The demo's options as numbers; prints the usage and exits (0 for --help, 2 for a mistake) otherwise. */
export function demoArgs(argv) {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    fail(error.message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const numbers = { bots: 8, hz: 30, port: 8080 };
  for (const [name, [valid, rule]] of Object.entries(RULES)) {
    if (values[name] === undefined) continue;
    const value = Number(values[name]);
    if (!valid(value)) fail(`--${name} must be ${rule}, got ${JSON.stringify(values[name])}.`);
    numbers[name] = value;
  }
  if (values.net !== undefined) {
    if (!NETWORK_PRESET_NAMES.includes(values.net)) {
      fail(`--net must be one of ${NETWORK_PRESET_NAMES.join(', ')}, got ${JSON.stringify(values.net)}.`);
    }
    numbers.net = values.net;
  }
  return numbers;
}

function fail(message) {
  console.error(`npm run demo: ${message}\n\n${USAGE}`);
  process.exit(2);
}
