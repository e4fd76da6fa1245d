import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyClaude, CLAUDE_HOOK_EVENTS, isAgentpulseHandler, removeClaude } from './claudeSettings.js';
import { applyCodex, CodexConfigError, removeCodex } from './codexToml.js';
import { applyGemini, removeGemini } from './geminiSettings.js';
import { formatSettings, SettingsFileError } from './settingsJson.js';

const o = { command: 'node /opt/agentpulse/bin/agentpulse-hook.js --db /data/a.duckdb', endpoint: 'http://127.0.0.1:4318' };
const userSettings = formatSettings({
  model: 'opus',
  permissions: { allow: ['Bash(npm test)'] },
  env: { FOO: 'bar', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.example:4318' },
  hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './check.sh' }] }] },
});

describe('init claude-code', () => {
  it('adds the OTel environment and one hook per event to a fresh project; a second run changes nothing', () => {
    const a = applyClaude(null, 's.json', o);
    const s = JSON.parse(a.text) as { env: Record<string, string>; hooks: Record<string, { matcher?: string; hooks: unknown[] }[]> };
    expect(s.env).toMatchObject({ CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_LOGS_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: o.endpoint });
    expect(Object.keys(s.hooks)).toEqual([...CLAUDE_HOOK_EVENTS]);
    expect(s.hooks.PreToolUse).toEqual([{ matcher: '*', hooks: [{ type: 'command', command: o.command }] }]);
    expect(s.hooks.Stop).toEqual([{ hooks: [{ type: 'command', command: o.command }] }]);
    const again = applyClaude(a.text, 's.json', o);
    expect(again.changes).toEqual([]);
    expect(again.text).toBe(a.text);
  });

  it("keeps the user's own hooks, settings and a different endpoint (with a warning), and --remove gives their file back exactly", () => {
    const a = applyClaude(userSettings, 's.json', o);
    const s = JSON.parse(a.text) as { model: string; env: Record<string, string>; hooks: Record<string, { hooks: { command?: string }[] }[]> };
    expect(s.model).toBe('opus');
    expect(s.env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel.example:4318');
    expect(a.warnings.join('\n')).toMatch(/kept your env.OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(s.hooks.PreToolUse!.map((g) => g.hooks[0]!.command)).toEqual(['./check.sh', o.command]);
    expect(applyClaude(a.text, 's.json', o).text).toBe(a.text);
    expect(removeClaude(a.text, 's.json', { endpoint: o.endpoint }).text).toBe(userSettings);
    expect(applyClaude(userSettings, 's.json', { ...o, force: true }).changes).toContain('env.OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel.example:4318" → "http://127.0.0.1:4318"');
  });

  it('with --http posts to /hooks/claude-code everywhere but SessionStart, and switching modes replaces rather than adds', () => {
    const http = applyClaude(applyClaude(null, 's.json', o).text, 's.json', { ...o, http: true, tokenEnv: true });
    const s = JSON.parse(http.text) as { hooks: Record<string, { hooks: Record<string, unknown>[] }[]> };
    expect(s.hooks.SessionStart).toEqual([{ hooks: [{ type: 'command', command: o.command }] }]);
    expect(s.hooks.Stop).toEqual([{ hooks: [{ type: 'http', url: 'http://127.0.0.1:4318/hooks/claude-code', headers: { Authorization: 'Bearer $AGENTPULSE_TOKEN' }, allowedEnvVars: ['AGENTPULSE_TOKEN'] }] }]);
    for (const groups of Object.values(s.hooks)) expect(groups.flatMap((g) => g.hooks).filter(isAgentpulseHandler)).toHaveLength(1);
  });

  it('recognises the handlers of earlier set-ups (npx agentpulse hook) and refuses a broken file without touching it', () => {
    expect(isAgentpulseHandler({ type: 'command', command: 'npx agentpulse hook' })).toBe(true);
    expect(isAgentpulseHandler({ type: 'command', command: 'npx agentpulse --db x.duckdb hook' })).toBe(true);
    expect(isAgentpulseHandler({ type: 'command', command: './hook.sh' })).toBe(false);
    expect(() => applyClaude('{ "hooks": ', 's.json', o)).toThrow(SettingsFileError);
    expect(() => applyClaude('[1]', 's.json', o)).toThrow(/must hold a JSON object/);
  });
});

describe('init gemini', () => {
  it('sets telemetry to the collector with prompts off, keeps user values, and removes only its own', () => {
    const mine = formatSettings({ theme: 'dark', telemetry: { logPrompts: true } });
    const a = applyGemini(mine, 'g.json', { endpoint: o.endpoint });
    expect(JSON.parse(a.text)).toEqual({ theme: 'dark', telemetry: { logPrompts: true, enabled: true, target: 'local', otlpEndpoint: o.endpoint, otlpProtocol: 'http' } });
    expect(a.warnings.join()).toMatch(/logPrompts/);
    expect(applyGemini(a.text, 'g.json', { endpoint: o.endpoint }).changes).toEqual([]);
    expect(removeGemini(a.text, 'g.json', { endpoint: o.endpoint }).text).toBe(mine);
  });
});

describe('init codex', () => {
  it('writes [otel] exporters for logs and metrics, marked, and takes them out again', () => {
    const src = '# my config\nmodel = "o3"\n\n[otel]\nlog_user_prompt = false\n\n[tools]\nweb_search = true\n';
    const a = applyCodex(src, 'config.toml', { endpoint: o.endpoint, traces: true });
    expect(a.text).toContain('[otel]\nlog_user_prompt = false\nexporter = { otlp-http = { endpoint = "http://127.0.0.1:4318/v1/logs", protocol = "binary" } } # agentpulse\n');
    expect(a.text).toContain('metrics_exporter = { otlp-http = { endpoint = "http://127.0.0.1:4318/v1/metrics"');
    expect(a.text).toContain('trace_exporter = { otlp-http = { endpoint = "http://127.0.0.1:4318/v1/traces"');
    expect(applyCodex(a.text, 'config.toml', { endpoint: o.endpoint, traces: true }).changes).toEqual([]);
    expect(removeCodex(a.text).text).toBe(src);
  });

  it("keeps the user's own exporter unless forced, and refuses [otel.…] sub-tables", () => {
    const src = '[otel]\nexporter = "none"\n';
    const a = applyCodex(src, 'config.toml', { endpoint: o.endpoint });
    expect(a.text).toContain('exporter = "none"\n');
    expect(a.warnings.join()).toMatch(/kept your \[otel\] exporter = "none"/);
    expect(() => applyCodex('[otel.exporter.otlp-http]\nendpoint = "x"\n', 'config.toml', { endpoint: o.endpoint })).toThrow(CodexConfigError);
  });

  it('leaves every other line byte for byte through add then remove (property)', () => {
    const line = fc.oneof(
      fc.constantFrom('', '# comment', 'model = "o3"', '[tools]', 'x = 1', '[profiles.fast]', 'approval_policy = "never"', '  indented = true'),
      fc.stringMatching(/^[a-z_]{1,8} = "[a-z ]{0,10}"$/),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const src = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
        const added = applyCodex(src, 'c.toml', { endpoint: o.endpoint });
        expect(removeCodex(added.text).text).toBe(src);
        for (const l of lines) expect(added.text.split('\n')).toContain(l);
      }),
    );
  });
});
