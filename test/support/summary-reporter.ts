// Prints one closing line, "tests: N passed, N failed[, N skipped]", after vitest's own report,
// in the plain form that CI reads, and writes the counts to test-artifacts/summary.json for the
// README figures (scripts/figures.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++; // a file that failed to load
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
    mkdirSync('test-artifacts', { recursive: true });
    const files = testModules.map((module) => module.moduleId);
    writeFileSync(
      'test-artifacts/summary.json',
      `${JSON.stringify({ passed, failed, skipped, files: files.length })}\n`,
    );
  }
}
