// The sample game's rules, apart from sockets: the server's input budget, pickups, sessions, and
// the client's prediction agreeing with the server once its inputs are answered.
import { describe, expect, it } from 'vitest';
import { Room, SESSION_HOLD_MS } from '../../samples/server/room.js';
import { Prediction } from '../../samples/shared/prediction.js';
import { decodeSnapshot, INPUT_STEP_MS, PLAYER_SPEED } from '../../samples/shared/protocol.js';

/** A room whose coins and spawns come from a seeded sequence (a small LCG). */
function room(): Room {
  let seed = 7;
  return new Room(() => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  });
}

describe('sample room rules', () => {
  it('inputs past real time are acknowledged but not applied: a client cannot outrun the clock', () => {
    const game = room();
    const { player } = game.join('fast', undefined, 0);
    const start = player.x;
    // 40 inputs of 16 ms at one instant: 640 ms of moving claimed, 250 ms of budget in hand.
    for (let seq = 1; seq <= 40; seq++) game.input(player, { seq, dx: 1, dy: 0, ms: INPUT_STEP_MS }, 0);
    expect(player.acked).toBe(40);
    const moved = player.x - start;
    expect(moved).toBeCloseTo((PLAYER_SPEED * 15 * INPUT_STEP_MS) / 1000, 5); // 15 steps fit in 250 ms
    // A replayed input changes nothing.
    game.input(player, { seq: 3, dx: 1, dy: 0, ms: INPUT_STEP_MS }, 1_000);
    expect(player.x - start).toBe(moved);
  });

  it('a player on a coin scores it, and the coin moves elsewhere', () => {
    const game = room();
    const { player } = game.join('picker', undefined, 0);
    const coin = { ...game.coins[0]! };
    player.x = coin.x;
    player.y = coin.y;
    game.step(0);
    expect(player.score).toBe(1);
    expect(game.coins[0]).not.toEqual(coin);
    const snapshot = decodeSnapshot(game.snapshot(7, 123));
    expect(snapshot).toMatchObject({ tick: 7, serverTime: 123 });
    expect(snapshot.players[0]).toMatchObject({ id: player.id, score: 1 });
    expect(snapshot.coins).toHaveLength(game.coins.length);
  });

  it('a dropped player’s session resumes them (same id, score, place) within the hold, not after', () => {
    const game = room();
    const { player } = game.join('a', undefined, 0);
    player.score = 5;
    game.leave(player, 1_000);
    expect(game.players.size).toBe(0);
    const back = game.join('a', player.session, 2_000);
    expect(back).toMatchObject({ resumed: true, player: { id: player.id, score: 5 } });
    game.leave(back.player, 3_000);
    game.step(3_000 + SESSION_HOLD_MS + 1);
    const late = game.join('a', player.session, 3_000 + SESSION_HOLD_MS + 2);
    expect(late.resumed).toBe(false);
    expect(late.player.id).not.toBe(player.id);
  });

  it('prediction moves at once, and after the server answers it is where the server put the player', () => {
    const game = room();
    const { player } = game.join('p', undefined, 0);
    const prediction = new Prediction();
    prediction.reconcile(player.x, player.y, player.acked);
    const sent: Parameters<Room['input']>[1][] = [];
    prediction.advance(10 * INPUT_STEP_MS, -1, 1, (input) => sent.push(input));
    expect(sent).toHaveLength(6); // capped catch-up: at most 100 ms of input after a long frame
    expect(prediction.position.x).toBeLessThan(player.x);
    // The server gets half the inputs; the snapshot answers them; the rest are replayed on top.
    for (const input of sent.slice(0, 3)) game.input(player, input, 100);
    const snapshot = decodeSnapshot(game.snapshot(1, 0)).players[0]!;
    const predicted = { ...prediction.position };
    prediction.reconcile(snapshot.x, snapshot.y, snapshot.acked);
    expect(prediction.unanswered).toBe(3);
    expect(prediction.position.x).toBeCloseTo(predicted.x, 3);
    expect(prediction.position.y).toBeCloseTo(predicted.y, 3);
    for (const input of sent.slice(3)) game.input(player, input, 200);
    const last = decodeSnapshot(game.snapshot(2, 50)).players[0]!;
    prediction.reconcile(last.x, last.y, last.acked);
    expect(prediction.unanswered).toBe(0);
    expect(prediction.position).toEqual({ x: last.x, y: last.y });
  });
});
