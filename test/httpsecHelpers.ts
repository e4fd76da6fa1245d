/** Shared helpers for the HTTP hardening tests: raw requests, a recording server, a seeded collector. */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request over `node:http` with the request target and headers exactly as given (fetch would
 * normalise both): absolute-form targets, `//host` paths and forged `Host` headers.
 */
export function raw(port: number, target: string, opts: { method?: string; headers?: Record<string, string>; body?: string; host?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: opts.host ?? '127.0.0.1', port, method: opts.method ?? 'GET', path: target, headers: opts.headers, setHost: opts.headers?.host === undefined }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer for ${target}`)));
    req.end(opts.body);
  });
}

/** A loopback server that records every request it receives (the "other host" of an attack). */
export async function recorder(host = '127.0.0.1'): Promise<{ server: Server; port: number; url: string; hits: { method: string; url: string; headers: IncomingHttpHeaders }[]; close(): Promise<void> }> {
  const hits: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://${host}:${port}/`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** An OTLP/JSON request with one span of `agent` that started `agoMs` ago (absence rules fire on it). */
export function oldSpan(agent: string, agoMs: number): string {
  const start = BigInt(Date.now() - agoMs) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'httpsec' } }] }, scopeSpans: [{ scope: { name: 't' }, spans: [{
      traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: `invoke_agent ${agent}`, kind: 1,
      startTimeUnixNano: String(start), endTimeUnixNano: String(start + 100_000_000n),
      attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } }, { key: 'gen_ai.agent.name', value: { stringValue: agent } }],
    }] }] }],
  });
}

/** An analyze request whose absence rule fires on `oldSpan`, delivering to `sinks`. */
export function analyzeBody(sinks: string[]): string {
  return JSON.stringify({ since: '24h', baseline: '7d', persist: false, rules: { rules: [{ name: 'quiet', kind: 'absence', for: '1m' }] }, sinks });
}
