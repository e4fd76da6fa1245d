// Fidelity of the kept @opentelemetry/instrumentation-openai on the calls agentpulse's own OpenAI
// adapter is tested with (test/fixtures/adapters/openaiApp.mjs), against the same loopback fake.
// Not part of the build: run it from a throwaway project (docs/adapters.md, "Kept libraries"):
//   mkdir /tmp/kept && cd /tmp/kept && npm init -y && npm pkg set type=module
//   npm install --legacy-peer-deps --ignore-scripts @opentelemetry/instrumentation-openai@0.22.0 @opentelemetry/api@1.10.0 \
//     @opentelemetry/sdk-trace-node @opentelemetry/sdk-trace-base @opentelemetry/instrumentation openai@6.49
//   cp $AGENTPULSE_ROOT/bench/kept/openaiFidelity.mjs . && AGENTPULSE_ROOT=$AGENTPULSE_ROOT node openaiFidelity.mjs
import { createRequire } from 'node:module';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
// The same loopback fake provider the adapter tests use (built: npm run build).
const { startFakeProviders } = await import(new URL('dist/test/fixtures/adapters/fakeProviders.js', `file://${process.env.AGENTPULSE_ROOT}/`).href);

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });
const require = createRequire(import.meta.url);
const OpenAI = require('openai');
const fake = await startFakeProviders();
const client = new OpenAI({ apiKey: 'test-key', baseURL: `${fake.url}/v1`, maxRetries: 0 });
const user = (content) => [{ role: 'user', content }];
const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
await client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi') });
const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('stream please'), stream: true, stream_options: { include_usage: true } });
for await (const _c of stream) {}
await client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('TOOL weather in Paris?'), tools });
try { await client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('RATE_LIMIT please') }); } catch {}
await client.responses.create({ model: 'gpt-4o', input: 'hi' });
const rs = await client.responses.create({ model: 'gpt-4o', input: 'stream', stream: true });
for await (const _e of rs) {}
const helper = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: user('helper'), stream_options: { include_usage: true } });
await helper.finalChatCompletion();
await fake.close();
for (const s of exporter.getFinishedSpans()) {
  const a = s.attributes;
  const pick = Object.fromEntries(Object.entries(a).filter(([k]) => /operation|model|usage|finish|error|tool|provider|system/.test(k)));
  console.log(JSON.stringify({ name: s.name, status: s.status.code, ...pick }));
}
console.log('spans', exporter.getFinishedSpans().length);
