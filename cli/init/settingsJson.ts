/**
 * JSON settings files as coding agents keep them (`.claude/settings.json`, `.gemini/settings.json`):
 * parsed with a clear error, written back with two-space indentation and a trailing newline, keys
 * in the order they were read (new keys last).
 */

/** A settings file that is not a JSON object: named with the parser's own complaint. */
export class SettingsFileError extends Error {}

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses `text` (null or blank = an empty object); throws SettingsFileError naming `file`. */
export function parseSettings(text: string | null, file: string): JsonObject {
  if (text === null || text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new SettingsFileError(`${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}); fix it or move it aside, then run this again`);
  }
  if (!isObject(v)) throw new SettingsFileError(`${file} must hold a JSON object`);
  return v;
}

export const formatSettings = (o: JsonObject): string => `${JSON.stringify(o, null, 2)}\n`;

/** What a merge did: the new text and one human line per change, plus warnings about what was kept. */
export interface Edit {
  text: string;
  changes: string[];
  warnings: string[];
}

/**
 * Sets `wanted` keys in `target` (an object inside the settings): a missing key is added; a key the
 * user set to something else is kept with a warning, unless `force`.
 */
export function mergeKeys(target: JsonObject, wanted: Readonly<JsonObject>, where: string, force: boolean, edit: Pick<Edit, 'changes' | 'warnings'>): void {
  for (const [k, v] of Object.entries(wanted)) {
    if (target[k] === undefined) {
      target[k] = v;
      edit.changes.push(`${where}.${k} = ${JSON.stringify(v)}`);
    } else if (JSON.stringify(target[k]) !== JSON.stringify(v)) {
      if (force) {
        edit.changes.push(`${where}.${k}: ${JSON.stringify(target[k])} → ${JSON.stringify(v)}`);
        target[k] = v;
      } else {
        edit.warnings.push(`kept your ${where}.${k} = ${JSON.stringify(target[k])} (agentpulse would set ${JSON.stringify(v)}; --force replaces it)`);
      }
    }
  }
}

/** Removes the `wanted` keys of `target` that still hold what agentpulse set; true when `target` is left empty. */
export function unmergeKeys(target: JsonObject, wanted: Readonly<JsonObject>, where: string, changes: string[]): boolean {
  for (const [k, v] of Object.entries(wanted)) {
    if (target[k] !== undefined && JSON.stringify(target[k]) === JSON.stringify(v)) {
      delete target[k];
      changes.push(`removed ${where}.${k}`);
    }
  }
  return Object.keys(target).length === 0;
}
