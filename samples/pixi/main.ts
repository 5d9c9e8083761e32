// The sample room as a PixiJS game: collect the coins. Players are discs on a 2D field; yours
// moves at once under your keys (predicted, reconciled with the server), the others are
// interpolated on the server's clock. ticksocket is pumped from the PixiJS ticker, before the
// frame's own logic and render.
import { Application, Container, Graphics, Text } from 'pixi.js';
import { attachToTicker } from 'ticksocket';
import { exposeForTests, mountHud } from '../shared/hud.js';
import { FIELD_HEIGHT, FIELD_WIDTH } from '../shared/protocol.js';
import { keyboardHeading, RoomClient } from '../shared/room-client.js';

const params = new URLSearchParams(location.search);
const url = params.get('url') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/room`;
const client = new RoomClient(
  url,
  params.get('name') ?? 'pixi player',
  params.get('transport') === 'worker',
  params.get('net'),
);
const heading = keyboardHeading();
const showHud = mountHud(client);
exposeForTests(client, 'pixi');

/** Room around the field, so that a player at its edge is drawn whole. */
const MARGIN = 20;
const app = new Application();
await app.init({
  width: FIELD_WIDTH + 2 * MARGIN,
  height: FIELD_HEIGHT + 2 * MARGIN,
  background: '#0f1a2b',
  preference: 'webgl',
  antialias: true,
});
document.getElementById('stage')!.appendChild(app.canvas);

const world = new Container();
world.position.set(MARGIN, MARGIN);
const field = new Graphics().rect(0, 0, FIELD_WIDTH, FIELD_HEIGHT).stroke({ width: 4, color: 0x3b82f6 });
const coins = new Container();
const players = new Container();
world.addChild(field, coins, players);
app.stage.addChild(world);
// A player is a container of its disc and its label: in PixiJS v8 a Graphics is a leaf.
const sprites = new Map<number, Container>();

// Network events land first in every frame (high priority), then this frame's logic and render.
attachToTicker(client.socket, app.ticker);
app.ticker.add(() => {
  const now = performance.now();
  client.tick(now, heading());
  while (coins.children.length < client.coins.length)
    coins.addChild(new Graphics().circle(0, 0, 8).fill(0xfbbf24).stroke({ width: 2, color: 0xb45309 }));
  coins.children.forEach((coin, index) => {
    const at = client.coins[index];
    coin.visible = at !== undefined;
    if (at !== undefined) coin.position.set(at.x, at.y);
  });
  const positions = client.positionsAt(now);
  for (const [id, position] of positions) {
    let sprite = sprites.get(id);
    if (sprite === undefined) {
      const mine = id === client.myId;
      const disc = new Graphics()
        .circle(0, 0, 14)
        .fill(mine ? 0xfacc15 : 0x34d399)
        .stroke({ width: 2, color: 0xffffff });
      const label = new Text({ text: String(id), style: { fontSize: 12, fill: 0x000000 }, anchor: 0.5 });
      sprite = new Container();
      sprite.addChild(disc, label);
      sprites.set(id, sprite);
      players.addChild(sprite);
    }
    sprite.position.set(position.x, position.y);
  }
  for (const [id, sprite] of sprites) {
    if (!positions.has(id)) {
      sprite.destroy({ children: true });
      sprites.delete(id);
    }
  }
  showHud(
    `PixiJS · ${client.socket.state} · you are #${client.myId} · score ${client.scoreBoard.find((line) => line.id === client.myId)?.score ?? 0} · ${positions.size} players · RTT ${client.rttMs.toFixed(1)} ms · ${client.messagesPerSecond.toFixed(0)} msg/s · peak queue ${client.socket.stats.peakQueuedEvents}`,
  );
});
