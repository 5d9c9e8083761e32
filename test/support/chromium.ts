// Debian's Chromium, headless, through playwright-core (no browser download); the launch itself is
// in scripts/chromium.mjs, shared with the browser benchmark.
export { CHROMIUM_PATH, launchChromium, launchLifecycleChromium } from '../../scripts/chromium.mjs';

/**
 * WebGL without a GPU: Chromium no longer falls back to SwiftShader on its own, so pages that
 * render with WebGL (the PixiJS and Babylon.js samples) ask for it explicitly.
 */
export const SOFTWARE_WEBGL = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];
