// The Node transport's whole-frame parser on hex frames, with no socket: what it takes, where
// it stops (everything it does not take is left to ws's parser), and the backpressure gate.
import { describe, expect, it } from 'vitest';
import { takeWholeFrames } from '../../src/transports/node/frames.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function parse(bytes: Buffer, { from = 0, maxPayload = 0, holdAfter = Number.POSITIVE_INFINITY } = {}) {
  const taken: string[] = [];
  const gate = { holding: false };
  const sink = {
    message(source: Uint8Array, start: number, end: number, isText: boolean) {
      taken.push(`${isText ? 'text' : 'binary'} ${Buffer.from(source.subarray(start, end)).toString('hex')}`);
      if (taken.length >= holdAfter) gate.holding = true;
    },
  };
  const end = takeWholeFrames(bytes, from, maxPayload, sink, 0, gate);
  return { taken, end };
}

describe('takeWholeFrames', () => {
  it('takes a run of whole text and binary frames, 7- and 16-bit lengths', () => {
    const long = 'ab'.repeat(200);
    const { taken, end } = parse(hex(`81 02 6869  82 03 010203  82 7e 00c8 ${long}`));
    expect(taken).toEqual(['text 6869', 'binary 010203', `binary ${long}`]);
    expect(end).toBe(2 + 2 + 2 + 3 + 4 + 200);
  });

  it.each([
    ['a ping', '89 00'],
    ['a close frame', '88 02 03e8'],
    ['a first fragment', '01 01 61'],
    ['a continuation', '80 01 61'],
    ['a compressed frame (RSV1)', 'c1 01 61'],
    ['a masked frame', '82 81 01020304 00'],
    ['a 64-bit length', '82 7f 0000000000010000'],
    ['invalid UTF-8 in text', '81 02 c328'],
    ['a frame cut by the end of the read', '82 05 0102'],
    ['a header cut by the end of the read', '82 7e 00'],
  ])('stops before %s, after the whole frames before it', (_name, rest) => {
    const { taken, end } = parse(hex(`82 01 aa  ${rest}`));
    expect(taken).toEqual(['binary aa']);
    expect(end).toBe(3);
  });

  it('stops before a frame over maxPayload (ws reports 1009 for it)', () => {
    expect(parse(hex('82 01 aa 82 03 010203'), { maxPayload: 2 }).taken).toEqual(['binary aa']);
    expect(parse(hex('82 01 aa 82 03 010203'), { maxPayload: 0 }).taken).toHaveLength(2); // 0: no limit
  });

  it('starts where it is told (after the end of a frame ws finished) and stops when the gate holds', () => {
    const bytes = hex('ffff 82 01 01 82 01 02 82 01 03');
    expect(parse(bytes, { from: 2 }).taken).toEqual(['binary 01', 'binary 02', 'binary 03']);
    const held = parse(bytes, { from: 2, holdAfter: 2 });
    expect(held.taken).toEqual(['binary 01', 'binary 02']);
    expect(held.end).toBe(8); // the rest waits for the reader to resume
  });
});
