import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanSpans, readSpans, runApps, versionFor } from './adaptersHelpers.js';
import type { AppRun, SpanRow } from './adaptersHelpers.js';

/**
 * The MCP TypeScript SDK under the preload, unmodified apps: a client that starts a stdio server
 * in another process (both preloaded, each with its own store), and a CommonJS app with client
 * and server in one process linked in memory.
 */
let runs: Map<string, AppRun>;
let serverSpans: SpanRow[] = [];

beforeAll(async () => {
  const serverDb = join(mkdtempSync(join(tmpdir(), 'ap-mcp-server-')), 'server.duckdb');
  runs = await runApps(
    [
      { key: 'stdio', app: 'mcpClient.mjs', env: { MCP_SERVER_DB: serverDb } },
      { key: 'cjs', app: 'mcpApp.cjs' },
    ],
    {},
  );
  if (runs.get('stdio')?.code === 0) serverSpans = await readSpans(serverDb);
}, 90_000);

const named = (spans: SpanRow[], name: string): SpanRow[] => spans.filter((s) => s.name === name);

describe(`MCP SDK adapter (@modelcontextprotocol/sdk ${versionFor('mcpClient.mjs', '@modelcontextprotocol/sdk')})`, () => {
  it('records client tool calls as execute_tool spans with the method, tool, transport and failures', () => {
    const spans = cleanSpans(runs, 'stdio');
    const add = named(spans, 'tools/call add');
    expect(add).toHaveLength(1);
    expect(add[0]).toMatchObject({ operation: 'execute_tool', tool_name: 'add', status_code: 'UNSET', scope_name: 'agentpulse.adapters.mcp' });
    expect(add[0].attributes).toMatchObject({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'add', 'network.transport': 'pipe' });
    // A tool result with isError: the call failed though the JSON-RPC request succeeded.
    const div = named(spans, 'tools/call divide')[0];
    expect(div).toMatchObject({ operation: 'execute_tool', tool_name: 'divide', status_code: 'ERROR', error_type: 'tool_error' });
    expect(named(spans, 'tools/list')).toHaveLength(1);
    expect(named(spans, 'initialize')).toHaveLength(1);
  });

  it('joins the server process to the client trace through the request _meta, server spans as handlers', () => {
    const client = cleanSpans(runs, 'stdio');
    const add = named(client, 'tools/call add')[0];
    const handled = named(serverSpans, 'tools/call add');
    expect(handled).toHaveLength(1);
    expect(handled[0]).toMatchObject({ trace_id: add.trace_id, parent_span_id: add.span_id, scope_name: 'agentpulse.adapters.mcp' });
    // Counted once: the caller's span is the execute_tool; the handler is its server side.
    expect(handled[0]).toMatchObject({ operation: null, tool_name: null });
    expect(handled[0].attributes).toMatchObject({ 'mcp.method.name': 'tools/call', 'network.transport': 'pipe' });
    const div = named(serverSpans, 'tools/call divide')[0];
    expect(div).toMatchObject({ trace_id: named(client, 'tools/call divide')[0].trace_id, status_code: 'ERROR', error_type: 'tool_error' });
    const list = named(serverSpans, 'tools/list')[0];
    expect(list.parent_span_id).toBe(named(client, 'tools/list')[0].span_id);
  });

  it('instruments the CommonJS build, and a JSON-RPC error carries its code as error.type', () => {
    const spans = cleanSpans(runs, 'cjs');
    const ok = named(spans, 'tools/call read_file');
    // Client and server side of the same call, in one process and one trace.
    expect(ok).toHaveLength(2);
    const caller = ok.find((s) => s.operation === 'execute_tool')!;
    const handler = ok.find((s) => s !== caller)!;
    expect(handler).toMatchObject({ trace_id: caller.trace_id, parent_span_id: caller.span_id });
    const bad = named(spans, 'tools/call rm_rf');
    expect(bad).toHaveLength(2);
    for (const s of bad) expect(s).toMatchObject({ status_code: 'ERROR', error_type: '-32602' });
  });
});
