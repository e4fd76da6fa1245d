import type { AttrValue } from './types.js';

/**
 * Attribute values read as column values. Attributes come from any SDK and any wire format, so
 * every reader accepts every `AttrValue` and answers null rather than throw.
 */

/** Text of a value; null when absent or empty. Numbers and booleans as text, lists and maps as JSON. */
export function str(v: AttrValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** A finite number, from a number or numeric text (SDKs that export every attribute as a string); else null. */
export function num(v: AttrValue | undefined): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/**
 * A token count for a BIGINT column: negative, non-finite or beyond ±2^53 (no double holds it
 * exactly, e.g. a bogus 1e20) is null, so one odd span cannot fail the append of its batch.
 */
export function count(v: AttrValue | undefined): number | null {
  const n = num(v);
  if (n === null || n < 0) return null;
  const t = Math.trunc(n);
  return Number.isSafeInteger(t) ? t : null;
}

/** An amount of money: negative or non-finite is null. */
export function amount(v: AttrValue | undefined): number | null {
  const n = num(v);
  return n === null || n < 0 ? null : n;
}

/** True for `false` and the text "false" (Claude Code and Codex send `success` as a string). */
export function isFalse(v: AttrValue | undefined): boolean {
  return v === false || (typeof v === 'string' && v.trim().toLowerCase() === 'false');
}
