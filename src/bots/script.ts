/** Loading a bot script module: its `default` export, or its named `setup` / `tick`. */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidOptionError } from '../errors.js';
import type { BotScript } from './fleet.js';

/** Import the script at `path` (relative to the working directory) or URL. */
export async function loadScript(path: string): Promise<BotScript> {
  const url = /^[a-z]+:/i.test(path) && !isAbsolute(path) ? path : pathToFileURL(resolve(path)).href;
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (cause) {
    throw new InvalidOptionError(`Could not load the bot script ${path}: ${(cause as Error).message}`, { cause });
  }
  const script = (module.default ?? module) as BotScript;
  if (typeof script.setup !== 'function' && typeof script.tick !== 'function') {
    throw new InvalidOptionError(`The bot script ${path} exports neither setup(bot) nor tick(bot, tick).`);
  }
  return script;
}
