/**
 * `agentpulse init gemini`: Gemini CLI's telemetry settings (`.gemini/settings.json`) pointed at the
 * collector, and taken out again. Gemini CLI appends `v1/traces|logs|metrics` itself and sends OTLP/JSON.
 */
import { formatSettings, isObject, mergeKeys, parseSettings, unmergeKeys, type Edit, type JsonObject } from './settingsJson.js';

export function geminiTelemetry(endpoint: string): JsonObject {
  // logPrompts defaults to true in Gemini CLI: agentpulse records no content unless asked.
  return { enabled: true, target: 'local', otlpEndpoint: endpoint, otlpProtocol: 'http', logPrompts: false };
}

export function applyGemini(text: string | null, file: string, o: { endpoint: string; force?: boolean }): Edit {
  const settings = parseSettings(text, file);
  const edit: Edit = { text: '', changes: [], warnings: [] };
  const telemetry = isObject(settings.telemetry) ? settings.telemetry : (settings.telemetry = {});
  mergeKeys(telemetry, geminiTelemetry(o.endpoint), 'telemetry', o.force === true, edit);
  edit.text = edit.changes.length === 0 && text !== null ? text : formatSettings(settings);
  return edit;
}

export function removeGemini(text: string | null, file: string, o: { endpoint: string }): Edit {
  const settings = parseSettings(text, file);
  const edit: Edit = { text: text ?? '', changes: [], warnings: [] };
  if (isObject(settings.telemetry) && unmergeKeys(settings.telemetry, geminiTelemetry(o.endpoint), 'telemetry', edit.changes)) delete settings.telemetry;
  if (edit.changes.length > 0) edit.text = formatSettings(settings);
  return edit;
}
