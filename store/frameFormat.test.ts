import { describe, expect, it } from 'vitest';
import { encodeFrame, parseFrames } from './frameFormat.js';

const file = (...payloads: string[]): Buffer => Buffer.concat(payloads.map((p, i) => encodeFrame(1 + (i % 2), Buffer.from(p))));
const texts = (buf: Buffer): string[] => parseFrames(buf).frames.map((f) => f.payload.toString());

describe('parseFrames', () => {
  it('skips a frame whose length field was flipped and resynchronises on the next intact header', () => {
    const buf = file('one', 'two', 'three');
    buf[16 + 4 + 2] ^= 0x40; // length of 'two' now points past the end of the file
    expect(texts(buf)).toEqual(['one', 'three']);
    expect(parseFrames(buf)).toMatchObject({ damagedRegions: 1, damagedFrames: 1, tornBytes: 0 });
  });

  it('skips a frame whose magic was flipped', () => {
    const buf = file('one', 'two', 'three');
    buf[16] ^= 0x01;
    expect(texts(buf)).toEqual(['one', 'three']);
    expect(parseFrames(buf).damagedRegions).toBe(1);
  });

  it('counts a damaged last frame of full length as damage, not as a torn tail', () => {
    const buf = file('one', 'two');
    buf[buf.length - 1] ^= 0x01;
    expect(parseFrames(buf)).toMatchObject({ damagedRegions: 1, damagedBytes: 16, tornBytes: 0 });
  });

  it('treats a cut-short frame or a zero-filled tail as a torn tail', () => {
    const whole = file('one', 'two');
    expect(parseFrames(whole.subarray(0, whole.length - 2))).toMatchObject({ damagedRegions: 0, tornBytes: 14 });
    expect(parseFrames(whole.subarray(0, 16 + 3))).toMatchObject({ damagedRegions: 0, tornBytes: 3 });
    expect(parseFrames(Buffer.concat([whole, Buffer.alloc(4096)]))).toMatchObject({ damagedRegions: 0, tornBytes: 4096 });
    expect(texts(whole)).toEqual(['one', 'two']);
  });

  it('finds every intact frame when several are damaged', () => {
    const payloads = Array.from({ length: 40 }, (_, i) => `payload-${i}-${'x'.repeat(i)}`);
    const buf = file(...payloads);
    const frames = parseFrames(buf).frames;
    for (const i of [3, 17, 18, 39]) buf[frames[i]!.payload.byteOffset - buf.byteOffset + 2] ^= 0x20;
    const kept = texts(buf);
    expect(kept).toEqual(payloads.filter((_, i) => ![3, 17, 18, 39].includes(i)));
    expect(parseFrames(buf)).toMatchObject({ damagedRegions: 3, damagedFrames: 4 });
  });
});
