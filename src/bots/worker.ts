// One worker of a fleet (see workers.ts): runs its share and posts its status and report; a
// 'stop' from the parent ends its run early.
import { parentPort, workerData } from 'node:worker_threads';
import { runFleet } from './fleet.js';
import { loadScript } from './script.js';

const { script, ...options } = workerData;
const stop = new AbortController();
const onMessage = (message: unknown): void => {
  if (message === 'stop') stop.abort();
};
parentPort!.on('message', onMessage);
try {
  const report = await runFleet({
    ...options,
    script: script === undefined ? undefined : await loadScript(script),
    signal: stop.signal,
    onStatus: (status) => parentPort!.postMessage({ status }),
  });
  parentPort!.postMessage({ report });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
} finally {
  parentPort!.off('message', onMessage); // nothing keeps the worker alive once it has reported
}
