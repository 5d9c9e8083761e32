import { describe, expect, it } from 'vitest';
import { checkCloseArguments } from '../../src/close.js';
import {
  CloseCode,
  InvalidCloseCodeError,
  isValidCloseCode,
  MAX_REASON_BYTES,
  ReasonTooLongError,
  utf8ByteLength,
} from '../../src/index.js';

describe('close codes (RFC 6455 §7.4)', () => {
  it.each([999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 0, -1, 1000.5, Number.NaN])('refuses %s', (code) => {
    expect(isValidCloseCode(code)).toBe(false);
    expect(() => checkCloseArguments(code, '')).toThrow(InvalidCloseCodeError);
  });

  it.each([1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4000, 4999])('accepts %s', (code) => {
    expect(isValidCloseCode(code)).toBe(true);
    expect(() => checkCloseArguments(code, 'ok')).not.toThrow();
  });

  it('names the codes a game meets', () => {
    expect(CloseCode.Normal).toBe(1000);
    expect(CloseCode.Abnormal).toBe(1006);
    expect(isValidCloseCode(CloseCode.Abnormal)).toBe(false);
  });

  it('lets a transport narrow the codes, with its own message', () => {
    const browserRule = (code: number) => (code === 1000 || code >= 3000 ? undefined : 'only 1000 or 3000–4999');
    expect(() => checkCloseArguments(1001, '', browserRule)).toThrow(/only 1000 or 3000–4999/);
    expect(() => checkCloseArguments(3001, '', browserRule)).not.toThrow();
  });
});

describe('close reasons', () => {
  it('counts UTF-8 bytes as TextEncoder does, surrogates included', () => {
    const encoder = new TextEncoder();
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀b€é', '\ud800', 'x\udc00y', '\ud83d', '\ud83d\ud83d\ude00']) {
      expect(utf8ByteLength(text)).toBe(encoder.encode(text).length);
    }
  });

  it('accepts 123 bytes and refuses 124 with a typed error saying how long it was', () => {
    expect(MAX_REASON_BYTES).toBe(123);
    expect(() => checkCloseArguments(1000, 'a'.repeat(123))).not.toThrow();
    expect(() => checkCloseArguments(1000, `${'é'.repeat(61)}a`)).not.toThrow(); // 123 bytes
    let thrown: unknown;
    try {
      checkCloseArguments(1000, 'é'.repeat(62)); // 62 characters, 124 bytes
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ReasonTooLongError);
    expect(thrown).toBeInstanceOf(RangeError);
    expect((thrown as ReasonTooLongError).code).toBe('reason_too_long');
    expect((thrown as Error).message).toMatch(/124 bytes/);
  });
});
