import { crc32 } from 'node:zlib';

/**
 * The frame format shared by the spool and the write-ahead log.
 *
 * Frame: 'APW1' | u32 payloadLength | u32 crc32(kind + payload) | u8 kind | payload (little-endian).
 * Frames are only ever appended, so after a crash a file may end in a *torn tail*: a short header,
 * a header whose payload runs past the end of the file, or zero bytes (a size extended before its
 * data reached the disk). That tail was never acknowledged and is dropped without alarm.
 *
 * Anything else that fails to parse is *damage* (a flipped bit, a bad sector): the reader skips
 * it and resynchronises on the next header whose length fits in the file and whose CRC matches,
 * so one bad frame costs that frame, not every intact frame after it. Damage is reported in
 * `damagedRegions`/`damagedBytes` so the caller can quarantine the file and count the loss.
 */
export interface SpoolFrame {
  kind: number;
  payload: Buffer;
}

export interface ParsedFrames {
  frames: SpoolFrame[];
  /** Bytes of a torn final frame (benign after a crash). */
  tornBytes: number;
  /** Stretches of unreadable bytes between intact frames; each held at least one lost frame. */
  damagedRegions: number;
  /** Bytes skipped in those stretches. */
  damagedBytes: number;
  /** Frame headers (magic found) inside the damaged stretches: a lower bound on frames lost. */
  damagedFrames: number;
}

const MAGIC = 0x31575041; // 'APW1' little-endian
const MAGIC_BYTES = Buffer.from([0x41, 0x50, 0x57, 0x31]);
export const FRAME_HEADER_BYTES = 13;

/** One frame: header (magic, length, crc32 of kind + payload, kind) and payload. */
export function encodeFrame(kind: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(MAGIC, 0);
  frame.writeUInt32LE(payload.length, 4);
  frame.writeUInt8(kind, 12);
  payload.copy(frame, FRAME_HEADER_BYTES);
  frame.writeUInt32LE(crc32(frame.subarray(12)), 8);
  return frame;
}

/** End offset of an intact frame starting at `pos`, or -1. */
function intactFrameEnd(buf: Buffer, pos: number): number {
  if (pos + FRAME_HEADER_BYTES > buf.length || buf.readUInt32LE(pos) !== MAGIC) return -1;
  const end = pos + FRAME_HEADER_BYTES + buf.readUInt32LE(pos + 4);
  if (end > buf.length) return -1;
  return crc32(buf.subarray(pos + 12, end)) === buf.readUInt32LE(pos + 8) ? end : -1;
}

/** The next intact frame at or after `from`, or -1 (scans for the magic, then checks length and CRC). */
function resync(buf: Buffer, from: number): number {
  for (let p = buf.indexOf(MAGIC_BYTES, from); p >= 0; p = buf.indexOf(MAGIC_BYTES, p + 1)) {
    if (intactFrameEnd(buf, p) >= 0) return p;
  }
  return -1;
}

/** True when `buf[pos..]` is what a crash mid-append leaves: part of one frame, or zeros. */
function isTornTail(buf: Buffer, pos: number): boolean {
  const rest = buf.length - pos;
  if (rest < 4) return MAGIC_BYTES.subarray(0, rest).equals(buf.subarray(pos)) || buf.subarray(pos).every((b) => b === 0);
  if (buf.readUInt32LE(pos) === MAGIC) return rest < FRAME_HEADER_BYTES || pos + FRAME_HEADER_BYTES + buf.readUInt32LE(pos + 4) > buf.length;
  return buf.subarray(pos).every((b) => b === 0);
}

function countMagic(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let p = buf.indexOf(MAGIC_BYTES, from); p >= 0 && p < to; p = buf.indexOf(MAGIC_BYTES, p + 1)) n++;
  return n;
}

/** Reads every intact frame, skipping damaged stretches; a torn tail after a crash is not damage. */
export function parseFrames(buf: Buffer): ParsedFrames {
  const out: ParsedFrames = { frames: [], tornBytes: 0, damagedRegions: 0, damagedBytes: 0, damagedFrames: 0 };
  let pos = 0;
  while (pos < buf.length) {
    const end = intactFrameEnd(buf, pos);
    if (end >= 0) {
      out.frames.push({ kind: buf[pos + 12]!, payload: buf.subarray(pos + FRAME_HEADER_BYTES, end) });
      pos = end;
      continue;
    }
    const next = resync(buf, pos + 1);
    if (next < 0 && isTornTail(buf, pos)) {
      out.tornBytes = buf.length - pos;
      break;
    }
    const stop = next < 0 ? buf.length : next;
    out.damagedRegions++;
    out.damagedBytes += stop - pos;
    out.damagedFrames += Math.max(1, countMagic(buf, pos, stop));
    pos = stop;
  }
  return out;
}
