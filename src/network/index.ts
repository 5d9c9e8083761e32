// The network lab's public surface (tree-shaken from bundles that do not use it).

export type {
  LinkConditions,
  NetworkConditions,
  NetworkFault,
  NetworkPresetName,
  ResolvedConditions,
  SpikeSchedule,
} from './conditions.js';
export { NETWORK_PRESETS } from './conditions.js';
export type { NetworkLabOptions, NetworkStats } from './lab.js';
export { NetworkLab, networkLab } from './lab.js';
export type { LinkStats } from './link.js';
export type { JitterDistribution } from './random.js';
