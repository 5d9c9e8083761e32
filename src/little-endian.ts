/**
 * Little-endian floats in any byte array at any offset, through one 8-byte scratch: no `DataView`
 * per buffer (a message's buffer changes with every read), nothing allocated.
 */
const scratch = new Uint8Array(8);
const scratchF32 = new Float32Array(scratch.buffer, 0, 1);
const scratchF64 = new Float64Array(scratch.buffer, 0, 1);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function load(bytes: Uint8Array, at: number, size: number): void {
  if (LITTLE_ENDIAN) for (let i = 0; i < size; i++) scratch[i] = bytes[at + i]!;
  else for (let i = 0; i < size; i++) scratch[size - 1 - i] = bytes[at + i]!;
}

function store(bytes: Uint8Array, at: number, size: number): void {
  if (LITTLE_ENDIAN) for (let i = 0; i < size; i++) bytes[at + i] = scratch[i]!;
  else for (let i = 0; i < size; i++) bytes[at + i] = scratch[size - 1 - i]!;
}

export function readF32(bytes: Uint8Array, at: number): number {
  load(bytes, at, 4);
  return scratchF32[0]!;
}

export function readF64(bytes: Uint8Array, at: number): number {
  load(bytes, at, 8);
  return scratchF64[0]!;
}

export function writeF32(bytes: Uint8Array, at: number, value: number): void {
  scratchF32[0] = value;
  store(bytes, at, 4);
}

export function writeF64(bytes: Uint8Array, at: number, value: number): void {
  scratchF64[0] = value;
  store(bytes, at, 8);
}
