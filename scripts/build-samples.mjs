// Bundle the samples with esbuild into samples/dist/. They import 'ticksocket' as a user would;
// here that name points at the library's source (Node entry for Node programs, browser entry
// for pages), so the samples always run the code in this checkout.

import { cpSync, existsSync } from 'node:fs';
import { build } from 'esbuild';

const node = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  sourcemap: true,
  packages: 'external',
  alias: {
    'ticksocket/bots': './src/bots/index.ts',
    'ticksocket/devtools': './src/devtools/index.ts',
    ticksocket: './src/node.ts',
  },
  logLevel: 'warning',
};

await build({
  ...node,
  entryPoints: {
    demo: 'samples/demo.ts',
    bot: 'samples/bot/main.ts',
    server: 'samples/server/main.ts',
  },
  outdir: 'samples/dist',
  outExtension: { '.js': '.mjs' },
});

// Browser samples (PixiJS, Babylon.js) and their pages, when present.
const pages = ['pixi', 'babylon'].filter((name) => existsSync(`samples/${name}/main.ts`));
if (pages.length > 0) {
  await build({
    entryPoints: Object.fromEntries(pages.map((name) => [name, `samples/${name}/main.ts`])),
    outdir: 'samples/dist/web',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    alias: { 'ticksocket/devtools': './src/devtools/index.ts', ticksocket: './src/browser.ts' },
    logLevel: 'warning',
  });
}
cpSync('samples/web', 'samples/dist/web', { recursive: true });
