/** The demo's command line (see demo-args.mjs). */
export declare const USAGE: string;
/** The network lab's preset names. */
export declare const NETWORK_PRESET_NAMES: readonly string[];
/** The options as numbers; prints the usage and exits (0 for --help, 2 for a mistake) otherwise. */
export declare function demoArgs(argv: readonly string[]): {
  seconds?: number;
  bots: number;
  hz: number;
  port: number;
  net?: import('ticksocket').NetworkPresetName;
};
