import type { Browser, BrowserContext } from 'playwright-core';

/** Where Chromium is (`CHROMIUM_PATH`, default Debian's `/usr/bin/chromium`). */
export declare const CHROMIUM_PATH: string;
/** Launch it headless with the project's flags, plus `extraArgs`; fails with the install command when missing. */
export declare function launchChromium(extraArgs?: string[]): Promise<Browser>;
/**
 * Chromium started by itself and attached over its DevTools port with `noDefaults`, so its pages
 * freeze, hide and throttle their timers as a player's tab does (see scripts/chromium.mjs).
 */
export declare function launchLifecycleChromium(
  extraArgs?: string[],
): Promise<{ browser: Browser; context: BrowserContext; close(): Promise<void> }>;
