// The README's figures, written by this script rather than by hand: the test count (from the
// last full `npm test`, test-artifacts/summary.json) and the browser bundle size (measured now).
//   node scripts/figures.mjs           rewrite them in README.md
//   node scripts/figures.mjs --check   fail if README.md does not show the current figures
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { browserBundleSize, SIZE_BUDGET } from './size.mjs';

const START = '<!-- figures:start (written by `npm run figures`) -->';
const END = '<!-- figures:end -->';
const check = process.argv.includes('--check');

const summary = JSON.parse(readFileSync('test-artifacts/summary.json', 'utf8'));
if (summary.failed > 0) {
  console.error('figures: the last test run had failures; fix them first');
  process.exit(1);
}
const testFiles = readdirSync('test', { recursive: true }).filter((file) => String(file).endsWith('.test.ts')).length;
if (summary.files !== testFiles) {
  console.error(
    `figures: the last test run covered ${summary.files} of ${testFiles} test files: run the whole suite (npx vitest run) first`,
  );
  process.exit(1);
}
const size = await browserBundleSize('.');
const number = (n) => n.toLocaleString('en-US');
const figures = `${START}
**${number(summary.passed)} tests** pass in ${summary.files} files (Node and real headless Chromium) ·
browser bundle **${number(size.gzipped)} B** gzipped (\`WebSocket\` + \`SocketManager\`, minified, tree-shaken; CI budget ${number(SIZE_BUDGET)} B)
${END}`;

const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < 0) {
  console.error(`figures: README.md lacks the ${START} … ${END} block`);
  process.exit(1);
}
const updated = readme.slice(0, start) + figures + readme.slice(end + END.length);
if (check) {
  if (updated !== readme) {
    console.error(
      'figures: README.md shows stale figures (tests or bundle size changed): run `npm run figures` and commit',
    );
    process.exit(1);
  }
  console.log('figures: README.md is current');
} else {
  writeFileSync('README.md', updated);
  console.log(figures);
}
