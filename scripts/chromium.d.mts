import type { Browser } from 'playwright-core';

/** Where Chromium is (`CHROMIUM_PATH`, default Debian's `/usr/bin/chromium`). */
export declare const CHROMIUM_PATH: string;
/** Launch it headless with the project's flags, plus `extraArgs`; fails with the install command when missing. */
export declare function launchChromium(extraArgs?: string[]): Promise<Browser>;
