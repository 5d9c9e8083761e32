// `ticksocket/devtools`: the network overlay (browsers) and `formatStats` (any platform). A
// separate entry: nothing of it is in the main bundle.

export { type FormattedStats, formatStats } from './format.js';
export { attachOverlay, type Overlay, type OverlayOptions } from './overlay.js';
export type { Reading, Watched } from './samples.js';
