// Bundle the browser entry into one ESM file (mitt inlined), for <script type="module"> pages,
// the samples and the size figure. `platform: 'browser'` plus the "browser" condition means a
// stray import of `ws` or a `node:` module fails this build instead of shipping.
import { build } from 'esbuild';

const page = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, sourcemap: true };
const result = await build({
  ...page,
  entryPoints: ['src/browser.ts'],
  outfile: 'dist/ticksocket.browser.js',
  external: ['ws', 'node:*'],
  metafile: true,
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs);
const foreign = inputs.filter((path) => /(^|\/)(ws|node:)/.test(path) && !path.startsWith('src/'));
if (foreign.length > 0) {
  console.error(`the browser bundle pulled in Node modules: ${foreign.join(', ')}`);
  process.exit(1);
}

// The devtools overlay, its own file: pages load it beside the library, never inside it.
await build({
  ...page,
  entryPoints: ['src/devtools/index.ts'],
  outfile: 'dist/ticksocket.devtools.js',
  logLevel: 'warning',
});
