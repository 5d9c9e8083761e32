// Record and replay: a recorder writes down every event a socket dispatched (kind, payload,
// arrival time); a replay feeds a recording back through `update()` with no network, in the same
// order and with the same arrival times. A game reproduces a bug from a player's session, or
// drives a deterministic test.
export type {
  RecordedBase,
  RecordedBinary,
  RecordedClosed,
  RecordedError,
  RecordedEvent,
  RecordedMessage,
  RecordedOpen,
} from './events.js';
export { decodeRecording, encodeRecording } from './format.js';
export { type Recorder, recordEvents } from './recorder.js';
export { createReplay, type Replay, type ReplayOptions } from './replay.js';
