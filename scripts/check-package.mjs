// Package checks on the packed tarball, as a user would get it: the files it ships, publint,
// are-the-types-wrong (ESM with types for the node and browser conditions), and the size
// budget of the browser bundle. Exits non-zero on any problem. Needs `npm run build` first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { browserBundleSize, SIZE_BUDGET } from './size.mjs';

const problems = [];
const work = mkdtempSync(join(tmpdir(), 'ticksocket-pack-'));
try {
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], { encoding: 'utf8' }),
  );
  const tarball = join(work, packed.filename);
  const files = packed.files.map((file) => file.path);
  const allowed =
    /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|docs\/reliability\.md|docs\/game\.png|bench\/RESULTS\.md|dist\/.+)$/;
  for (const file of files)
    if (!allowed.test(file))
      problems.push(
        `ships ${file}: only dist/, README.md, LICENSE, CHANGELOG.md and the documents and image the README links to belong in the package`,
      );
  // The README is the package's page: every file it links to must be in the package.
  for (const [, target] of readFileSync('README.md', 'utf8').matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)) {
    if (!files.includes(target)) problems.push(`README.md links to ${target}, which the package does not ship`);
  }
  for (const needed of [
    'dist/node.js',
    'dist/node.d.ts',
    'dist/browser.js',
    'dist/browser.d.ts',
    'dist/bun.js',
    'dist/deno.js',
    'dist/bots/cli.js',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
  ]) {
    if (!files.includes(needed)) problems.push(`the package lacks ${needed}`);
  }

  execFileSync('tar', ['-xzf', tarball, '-C', work]);
  const unpacked = join(work, 'package');
  const { messages } = await publint({ pkgDir: unpacked, strict: true, pack: false });
  for (const message of messages)
    problems.push(`publint ${message.type}: ${message.code} ${JSON.stringify(message.args)}`);

  try {
    execFileSync(
      join('node_modules', '.bin', 'attw'),
      [tarball, '--profile', 'esm-only', '--format', 'table-flipped'],
      { stdio: 'pipe' },
    );
  } catch (error) {
    problems.push(`are-the-types-wrong:\n${error.stdout}`);
  }

  const size = await browserBundleSize(unpacked);
  console.log(`package: ${files.length} files, ${packed.size} bytes packed`);
  console.log(
    `browser bundle (WebSocket + SocketManager): ${size.minified} B minified, ${size.gzipped} B gzipped (budget ${SIZE_BUDGET} B)`,
  );
  if (size.gzipped > SIZE_BUDGET)
    problems.push(`the browser bundle is ${size.gzipped} B gzipped, over the ${SIZE_BUDGET} B budget`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`package check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('package check: files, publint, are-the-types-wrong and size budget all pass');
