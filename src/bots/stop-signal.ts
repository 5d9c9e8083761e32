// Ctrl-C for a command-line run: stop cleanly (and report) on the first, exit on one that is meant.

/**
 * Call `stop` on the first SIGINT or SIGTERM, so a run can close its bots and print its report.
 * One Ctrl-C often arrives two or three times (from the terminal, and forwarded by `npm run` or
 * `npx`), so repeats within a second count as the same; one later than that exits at once (130).
 *
 * @returns a function that removes the handlers.
 *
 * @example
 * const stop = new AbortController();
 * onStopSignal(() => stop.abort());
 * const report = await runFleet({ url, bots: 100, seconds: 600, signal: stop.signal });
 */
export function onStopSignal(stop: () => void): () => void {
  let askedAt = 0;
  const handler = (): void => {
    if (askedAt === 0) {
      askedAt = Date.now();
      stop();
    } else if (Date.now() - askedAt > 1000) process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
