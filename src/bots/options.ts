/** The checks of a fleet's options: typed errors that name the option and say what it takes. */
import { InvalidOptionError, quote } from '../errors.js';
import { normalizeUrl } from '../validate.js';

/** What the checks read of a fleet's options (the whole type is `FleetOptions`, in fleet.ts). */
interface CheckedOptions {
  url: string;
  bots: number;
  seconds: number;
  hz?: number;
  warmUp?: number;
  rampUp?: number;
  think?: number;
  script?: object;
  signal?: unknown;
}

/** The limits of a fleet (per process; `workers` spreads more). */
export const MAX_BOTS = 100_000;
export const MAX_HZ = 1_000;

function positive(name: string, value: unknown, max: number, whole = false): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    value > max ||
    (whole && !Number.isInteger(value))
  ) {
    throw new InvalidOptionError(
      `${name} must be a ${whole ? 'whole ' : ''}number above 0 and at most ${max}, got ${quote(value)}.`,
    );
  }
  return value;
}

/** `options`, checked. @throws {@link InvalidOptionError} for the first bad one. */
export function checkFleetOptions<Options extends CheckedOptions>(options: Options): Options {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(`runFleet() takes an options object ({ url, bots, seconds }), got ${quote(options)}.`);
  }
  normalizeUrl(options.url);
  positive('bots', options.bots, MAX_BOTS, true);
  positive('seconds', options.seconds, 7 * 24 * 3600);
  if (options.hz !== undefined) positive('hz', options.hz, MAX_HZ);
  if (
    options.warmUp !== undefined &&
    !(typeof options.warmUp === 'number' && options.warmUp >= 0 && options.warmUp < options.seconds)
  ) {
    throw new InvalidOptionError(
      `warmUp must be a number of seconds from 0 and under seconds (${options.seconds}), got ${quote(options.warmUp)}.`,
    );
  }
  if (options.rampUp !== undefined) positive('rampUp', options.rampUp, MAX_BOTS);
  if (
    options.think !== undefined &&
    !(typeof options.think === 'number' && options.think >= 0 && Number.isFinite(options.think))
  ) {
    throw new InvalidOptionError(`think must be a number of ms from 0, got ${quote(options.think)}.`);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidOptionError(
      `signal must be an AbortSignal (new AbortController().signal), got ${quote(options.signal)}.`,
    );
  }
  const script = options.script;
  if (
    script !== undefined &&
    (typeof script !== 'object' ||
      script === null ||
      !['setup', 'tick'].some((name) => typeof (script as Record<string, unknown>)[name] === 'function'))
  ) {
    throw new InvalidOptionError(
      'script must have a setup(bot) or tick(bot, tick) function (a module that exports them).',
    );
  }
  return options;
}
