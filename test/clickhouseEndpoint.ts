/**
 * A loopback HTTP endpoint that speaks the part of ClickHouse's HTTP interface `@clickhouse/client`
 * uses (POST / with the SQL in the body or `query=`, `param_*` values, settings as URL parameters,
 * multipart/form-data for long parameters, `GET /ping`) and executes every statement on chDB, so
 * tests exercise the client's real bytes against the real engine. Parameter values reach the engine
 * exactly as received (chDB's native binding, no re-escaping), as they would reach a server.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChdbSession } from '../store/clickhouse/ChdbExecutor.js';

interface NativeChdb {
  QueryWithConnection(conn: unknown, sql: string, format: string): string;
  QueryWithParamsConnection(conn: unknown, sql: string, format: string, params: Record<string, string>): string;
}

function loadNative(): NativeChdb {
  const require = createRequire(import.meta.url);
  // The package's exports map hides dist/; an absolute path reaches the loader chdb itself uses.
  const loader = require(join(dirname(require.resolve('chdb')), 'dist', 'loader.js')) as { loadNative(): NativeChdb };
  return loader.loadNative();
}

const NOT_SETTINGS = new Set(['query', 'query_id', 'database', 'session_id', 'role', 'default_format', 'user', 'password']);

export interface EndpointStats {
  requests: number;
  queries: string[];
  bytesIn: number;
}

export interface ClickHouseEndpoint {
  url: string;
  stats: EndpointStats;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Parts of a multipart/form-data body by name (what the client sends for long query parameters). */
function multipart(buf: Buffer, contentType: string): Map<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const out = new Map<string, string>();
  if (!boundary) return out;
  const sep = `--${boundary[1] ?? boundary[2]}`;
  for (const part of buf.toString('utf8').split(sep)) {
    const m = /^\r\nContent-Disposition: form-data; name="([^"]+)"\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*)\r\n$/i.exec(part);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

function fail(res: ServerResponse, err: unknown): void {
  if (process.env.CH_ENDPOINT_DEBUG) console.error("endpoint error:", err);
  const message = err instanceof Error ? err.message : String(err);
  const code = /Code: (\d+)/.exec(message)?.[1] ?? '1000';
  // ClickHouse's own error shape: the client parses "Code: N. DB::Exception: ... (TYPE)".
  const text = /Code: \d+\./.test(message) ? message.replace(/^Query failed: /, '') : `Code: ${code}. DB::Exception: ${message} (UNKNOWN_EXCEPTION)`;
  res.writeHead(500, { 'content-type': 'text/plain; charset=UTF-8', 'x-clickhouse-exception-code': code });
  res.end(text + '\n');
}

/** Starts the endpoint on 127.0.0.1 with an ephemeral port, executing on `session`. */
export async function startClickHouseEndpoint(session: ChdbSession): Promise<ClickHouseEndpoint> {
  const native = loadNative();
  const stats: EndpointStats = { requests: 0, queries: [], bytesIn: 0 };
  // ClickHouse accepts URLs up to 1 MiB (http_max_uri_size); node defaults to 16 KiB of headers.
  const server: Server = createServer({ maxHeaderSize: 1 << 20 }, async (req, res) => {
    stats.requests++;
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/ping') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('Ok.\n');
        return;
      }
      const raw = await body(req);
      stats.bytesIn += raw.length;
      const params: Record<string, string> = {};
      const settings: [string, string][] = [];
      for (const [k, v] of url.searchParams) {
        if (k.startsWith('param_')) params[k.slice(6)] = v;
        else if (!NOT_SETTINGS.has(k)) settings.push([k, v]);
      }
      let sql: string;
      let data = '';
      const ct = req.headers['content-type'] ?? '';
      if (ct.startsWith('multipart/form-data')) {
        const parts = multipart(raw, ct);
        sql = parts.get('query') ?? '';
        for (const [k, v] of parts) if (k.startsWith('param_')) params[k.slice(6)] = v;
      } else if (url.searchParams.has('query')) {
        sql = url.searchParams.get('query')!;
        data = raw.toString('utf8'); // INSERT ... FORMAT X: the rows are the body
      } else {
        sql = raw.toString('utf8');
      }
      stats.queries.push(sql);
      // readonly cannot be lifted again inside one chDB session, so it is enforced here the way the server does.
      const readonly = settings.find(([k]) => k === 'readonly');
      if (readonly && readonly[1] !== '0' && !/^\s*(?:select|with|show|describe|explain)\b/i.test(sql)) {
        throw new Error('Code: 164. DB::Exception: Cannot execute query in readonly mode. (READONLY)');
      }
      const rest = settings.filter(([k]) => k !== 'readonly' && k !== 'enable_http_compression');
      if (rest.length > 0) native.QueryWithConnection(session.connection, `SET ${rest.map(([k, v]) => `${k} = ${/^-?\d+$/.test(v) ? v : `'${v.replace(/'/g, "\\'")}'`}`).join(', ')}`, 'TabSeparated');
      const text = data
        ? native.QueryWithConnection(session.connection, `${sql}\n${data}`, 'TabSeparated')
        : Object.keys(params).length > 0
          ? native.QueryWithParamsConnection(session.connection, sql, 'TabSeparated', params)
          : native.QueryWithConnection(session.connection, sql, 'TabSeparated');
      const format = /\bFORMAT\s+(\w+)\s*$/i.exec(sql)?.[1] ?? 'TabSeparated';
      res.writeHead(200, {
        'content-type': format.startsWith('JSON') ? 'application/json; charset=UTF-8' : 'text/tab-separated-values; charset=UTF-8',
        'x-clickhouse-format': format,
        'x-clickhouse-query-id': url.searchParams.get('query_id') ?? '',
        'x-clickhouse-summary': JSON.stringify({ read_rows: '0', read_bytes: '0', written_rows: '0', written_bytes: '0', total_rows_to_read: '0' }),
      });
      res.end(text);
    } catch (err) {
      fail(res, err);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
