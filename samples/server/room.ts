// The sample game's rules on the server, apart from sockets: who is in the room, the coins,
// inputs applied as they come (within a time budget, so a client cannot move faster than real
// time), pickups each tick, and the sessions of players who dropped, held for a while so a
// reconnecting player comes back as themselves, score and all.
import { randomUUID } from 'node:crypto';
import {
  COINS,
  type Coin,
  encodeSnapshot,
  FIELD_HEIGHT,
  FIELD_WIDTH,
  type Input,
  move,
  PICKUP_RADIUS,
  type PlayerState,
} from '../shared/protocol.js';

/** How long a dropped player's session is held for a reconnect, in ms. */
export const SESSION_HOLD_MS = 30_000;
/** Input time a player may have in hand: covers inputs bunched up by the network. */
const INPUT_BURST_MS = 250;

export interface RoomPlayer extends PlayerState {
  name: string;
  readonly session: string;
  /** Input time the player may still spend, and when it was last topped up. */
  budgetMs: number;
  budgetAt: number;
}

export class Room {
  /** The players on the field, by id. */
  readonly players = new Map<number, RoomPlayer>();
  readonly coins: Coin[] = [];
  /** Sessions of players who dropped, by token, with when they left. */
  private readonly away = new Map<string, { player: RoomPlayer; leftAt: number }>();
  private nextId = 1;

  constructor(private readonly random: () => number = Math.random) {
    for (let i = 0; i < COINS; i++) this.coins.push(this.somewhere());
  }

  /** A player joins: as themselves again if `session` is one the room still holds. */
  join(name: string, session: string | undefined, now: number): { player: RoomPlayer; resumed: boolean } {
    const held = session === undefined ? undefined : this.away.get(session);
    if (held !== undefined) {
      this.away.delete(held.player.session);
      held.player.name = name;
      held.player.budgetMs = INPUT_BURST_MS;
      held.player.budgetAt = now;
      this.players.set(held.player.id, held.player);
      return { player: held.player, resumed: true };
    }
    const { x, y } = this.somewhere();
    const player: RoomPlayer = {
      id: this.nextId++,
      name,
      session: randomUUID(),
      x,
      y,
      acked: 0,
      score: 0,
      budgetMs: INPUT_BURST_MS,
      budgetAt: now,
    };
    this.players.set(player.id, player);
    return { player, resumed: false };
  }

  /** The player's connection ended: off the field, session held for `SESSION_HOLD_MS`. */
  leave(player: RoomPlayer, now: number): void {
    if (this.players.get(player.id) !== player) return;
    this.players.delete(player.id);
    this.away.set(player.session, { player, leftAt: now });
  }

  /**
   * Apply an input, if the player has the time for it; acknowledged either way, so the client's
   * prediction learns what the server made of it.
   */
  input(player: RoomPlayer, input: Input, now: number): void {
    if (input.seq <= player.acked) return; // a replay
    player.acked = input.seq;
    player.budgetMs = Math.min(INPUT_BURST_MS, player.budgetMs + (now - player.budgetAt));
    player.budgetAt = now;
    if (input.ms > player.budgetMs) return;
    player.budgetMs -= input.ms;
    move(player, input.dx, input.dy, input.ms);
  }

  /** One server tick: pickups, and sessions held too long let go. */
  step(now: number): void {
    for (const player of this.players.values()) {
      for (const [index, coin] of this.coins.entries()) {
        if ((coin.x - player.x) ** 2 + (coin.y - player.y) ** 2 <= PICKUP_RADIUS ** 2) {
          player.score++;
          this.coins[index] = this.somewhere();
        }
      }
    }
    for (const [session, { leftAt }] of this.away) if (now - leftAt > SESSION_HOLD_MS) this.away.delete(session);
  }

  snapshot(tick: number, serverTime: number): Uint8Array {
    return encodeSnapshot(tick, serverTime, [...this.players.values()], this.coins);
  }

  roster(): { id: number; name: string }[] {
    return [...this.players.values()].map(({ id, name }) => ({ id, name }));
  }

  private somewhere(): Coin {
    const margin = 30;
    return {
      x: margin + this.random() * (FIELD_WIDTH - 2 * margin),
      y: margin + this.random() * (FIELD_HEIGHT - 2 * margin),
    };
  }
}
