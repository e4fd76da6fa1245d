import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';

describe('resolveConfig', () => {
  it('defaults to the embedded store in ./agentpulse.duckdb', () => {
    const c = resolveConfig({}, {});
    expect(c.exporter).toBe('duckdb');
    expect(c.dbPath.endsWith('agentpulse.duckdb')).toBe(true);
    expect(c.disabled).toBe(false);
  });

  it('switches to OTLP when an endpoint is configured, and honours OTEL_SDK_DISABLED', () => {
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).exporter).toBe('otlp');
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', AGENTPULSE_EXPORTER: 'duckdb' }).exporter).toBe('duckdb');
    expect(resolveConfig({}, { OTEL_SDK_DISABLED: 'TRUE' }).disabled).toBe(true);
    expect(resolveConfig({ exporter: 'none' }, { AGENTPULSE_EXPORTER: 'duckdb' }).exporter).toBe('none');
    expect(resolveConfig({}, { AGENTPULSE_DB: '/tmp/x.duckdb' }).dbPath).toBe('/tmp/x.duckdb');
  });
});
