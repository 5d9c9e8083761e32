// One worker of a fleet (see workers.ts): runs its share and posts its status and report.
import { parentPort, workerData } from 'node:worker_threads';
import { runFleet } from './fleet.js';
import { loadScript } from './script.js';

const { script, ...options } = workerData;
try {
  const report = await runFleet({
    ...options,
    script: script === undefined ? undefined : await loadScript(script),
    onStatus: (status) => parentPort!.postMessage({ status }),
  });
  parentPort!.postMessage({ report });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
