import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';

describe('resolveConfig', () => {
  it('bounds the embedded writer\'s DuckDB memory (AGENTPULSE_WRITER_MEMORY_LIMIT), ignoring what is not a size', () => {
    expect(resolveConfig({}, {}).writerMemoryLimit).toBe('256MiB');
    expect(resolveConfig({}, { AGENTPULSE_WRITER_MEMORY_LIMIT: '1GB' }).writerMemoryLimit).toBe('1GB');
    expect(resolveConfig({}, { AGENTPULSE_WRITER_MEMORY_LIMIT: 'lots' }).writerMemoryLimit).toBe('256MiB');
  });

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
