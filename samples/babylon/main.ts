// The sample room as a Babylon.js scene: collect the coins. Players are spheres on a ground
// plane, predicted and interpolated as in the PixiJS sample. ticksocket is pumped from
// onBeforeRenderObservable.
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera';
import { Engine } from '@babylonjs/core/Engines/engine';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight';
import { StandardMaterial } from '@babylonjs/core/Materials/standardMaterial';
import { DynamicTexture } from '@babylonjs/core/Materials/Textures/dynamicTexture';
import { Color3, Color4 } from '@babylonjs/core/Maths/math.color';
import { Vector3 } from '@babylonjs/core/Maths/math.vector';
import { CreateCylinder } from '@babylonjs/core/Meshes/Builders/cylinderBuilder';
import { CreateGround } from '@babylonjs/core/Meshes/Builders/groundBuilder';
import { CreatePlane } from '@babylonjs/core/Meshes/Builders/planeBuilder';
import { CreateSphere } from '@babylonjs/core/Meshes/Builders/sphereBuilder';
import { Mesh } from '@babylonjs/core/Meshes/mesh';
import { Scene } from '@babylonjs/core/scene';
import { attachToObservable } from 'ticksocket';
import { exposeForTests, mountHud } from '../shared/hud.js';
import { FIELD_HEIGHT, FIELD_WIDTH } from '../shared/protocol.js';
import { keyboardHeading, RoomClient } from '../shared/room-client.js';

const params = new URLSearchParams(location.search);
const url = params.get('url') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/room`;
const client = new RoomClient(
  url,
  params.get('name') ?? 'babylon player',
  params.get('transport') === 'worker',
  params.get('net'),
);
const heading = keyboardHeading();
const showHud = mountHud(client);
exposeForTests(client, 'babylon');

const canvas = document.createElement('canvas');
canvas.width = FIELD_WIDTH;
canvas.height = FIELD_HEIGHT;
document.getElementById('stage')!.appendChild(canvas);
const engine = new Engine(canvas, true, { preserveDrawingBuffer: true });
const scene = new Scene(engine);
scene.clearColor = new Color4(0.06, 0.1, 0.17, 1);
const camera = new ArcRotateCamera('camera', -Math.PI / 2, Math.PI / 3.2, 1000, Vector3.Zero(), scene);
// The arrow keys steer the player: the camera keeps the mouse (orbit, zoom), not the keyboard.
camera.inputs.removeByType('ArcRotateCameraKeyboardMoveInput');
camera.attachControl(canvas, true);
(globalThis as unknown as { camera: ArcRotateCamera; scene: Scene }).camera = camera; // read by the sample test
(globalThis as unknown as { scene: Scene }).scene = scene;
new HemisphericLight('light', new Vector3(0.3, 1, -0.4), scene);
const ground = CreateGround('field', { width: FIELD_WIDTH, height: FIELD_HEIGHT }, scene);
const groundMaterial = new StandardMaterial('field', scene);
groundMaterial.diffuseColor = new Color3(0.15, 0.3, 0.55);
ground.material = groundMaterial;
const mineMaterial = new StandardMaterial('mine', scene);
mineMaterial.diffuseColor = new Color3(0.98, 0.8, 0.08);
const otherMaterial = new StandardMaterial('other', scene);
otherMaterial.diffuseColor = new Color3(0.2, 0.83, 0.6);
const coinMaterial = new StandardMaterial('coin', scene);
coinMaterial.diffuseColor = new Color3(0.98, 0.75, 0.14);
coinMaterial.emissiveColor = new Color3(0.35, 0.2, 0);
const coins: Mesh[] = [];
const meshes = new Map<number, Mesh>();

/** A player's number on a plane above its sphere, always facing the camera (as the PixiJS labels). */
function labelFor(id: number, sphere: Mesh): Mesh {
  const label = CreatePlane(`label-${id}`, { width: 40, height: 20 }, scene);
  const texture = new DynamicTexture(`label-${id}`, { width: 128, height: 64 }, scene, false);
  texture.hasAlpha = true;
  texture.drawText(String(id), null, 48, 'bold 44px sans-serif', '#ffffff', 'transparent', true);
  const material = new StandardMaterial(`label-${id}`, scene);
  material.diffuseTexture = texture;
  material.emissiveColor = new Color3(1, 1, 1);
  material.disableLighting = true;
  material.backFaceCulling = false;
  label.material = material;
  label.billboardMode = Mesh.BILLBOARDMODE_ALL;
  label.parent = sphere;
  label.position.y = 30;
  return label;
}

// Network events land before each render, then this frame's logic.
attachToObservable(client.socket, scene.onBeforeRenderObservable);
scene.onBeforeRenderObservable.add(() => {
  const now = performance.now();
  client.tick(now, heading());
  while (coins.length < client.coins.length) {
    const coin = CreateCylinder(`coin-${coins.length}`, { diameter: 18, height: 4 }, scene);
    coin.material = coinMaterial;
    coin.rotation.x = Math.PI / 2; // standing, facing the camera's side
    coins.push(coin);
  }
  coins.forEach((coin, index) => {
    const at = client.coins[index];
    coin.setEnabled(at !== undefined);
    if (at !== undefined) coin.position.set(at.x - FIELD_WIDTH / 2, 12, FIELD_HEIGHT / 2 - at.y);
    coin.rotation.y = now / 400; // spinning
  });
  const positions = client.positionsAt(now);
  for (const [id, position] of positions) {
    let mesh = meshes.get(id);
    if (mesh === undefined) {
      mesh = CreateSphere(`player-${id}`, { diameter: 28 }, scene);
      mesh.material = id === client.myId ? mineMaterial : otherMaterial;
      labelFor(id, mesh);
      meshes.set(id, mesh);
    }
    // Field x → world x, field y (down) → world z (away from the camera, mirrored).
    mesh.position.set(position.x - FIELD_WIDTH / 2, 14, FIELD_HEIGHT / 2 - position.y);
  }
  for (const [id, mesh] of meshes) {
    if (!positions.has(id)) {
      mesh.dispose(false, true); // its label, and the label's material and texture, too
      meshes.delete(id);
    }
  }
  showHud(
    `Babylon.js · ${client.socket.state} · you are #${client.myId} · score ${client.scoreBoard.find((line) => line.id === client.myId)?.score ?? 0} · ${positions.size} players · RTT ${client.rttMs.toFixed(1)} ms · ${client.messagesPerSecond.toFixed(0)} msg/s · peak queue ${client.socket.stats.peakQueuedEvents}`,
  );
});
engine.runRenderLoop(() => scene.render());
addEventListener('resize', () => engine.resize());
