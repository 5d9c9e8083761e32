// `npm run demo`: check the command line first (usage at once, exit 2 for a mistake), then build
// the samples (they run this checkout's source) and run the demo with the same arguments.
import { execFileSync, spawn } from 'node:child_process';
import { demoArgs } from '../samples/demo-args.mjs';

const args = process.argv.slice(2);
demoArgs(args);
execFileSync(process.execPath, ['scripts/build-samples.mjs'], { stdio: 'inherit' });
const demo = spawn(process.execPath, ['samples/dist/demo.mjs', ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => demo.kill(signal));
demo.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal === null ? 1 : 0);
});
