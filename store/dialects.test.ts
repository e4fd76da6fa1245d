import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeSpan } from '../test/spanFactory.js';
import { DIALECTS, dialectOf } from './dialects.js';
import { ResourceMemo, normalizeSpan, normalizeSpanWith, type NormalizedSpan } from './normalize.js';
import type { Attributes, SpanRecord } from './types.js';

/** A span of some SDK: name, scope, service and attributes as that SDK sends them. */
function foreign(name: string, attributes: Attributes, o: { scope?: string | null; service?: string; status?: SpanRecord['statusCode'] } = {}): SpanRecord {
  return makeSpan({
    name,
    attributes,
    scopeName: o.scope === undefined ? 'some.instrumentation' : o.scope,
    resource: { 'service.name': o.service ?? 'shop-api', 'telemetry.sdk.language': 'python' },
    statusCode: o.status ?? 'UNSET',
  });
}

/** The promoted columns the dialects fill, for compact assertions. */
function columns(r: NormalizedSpan): Record<string, unknown> {
  return {
    operation: r.operation,
    agentName: r.agentName,
    provider: r.provider,
    model: r.model,
    toolName: r.toolName,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costUsd: r.costUsd,
    sessionId: r.sessionId,
    callId: r.callId,
    dialect: r.dialect,
  };
}

/** Normalises a span and checks what must hold for every dialect: attributes untouched and stored as sent. */
function normalized(span: SpanRecord): NormalizedSpan {
  const before = structuredClone(span.attributes);
  const r = normalizeSpan(span);
  expect(span.attributes).toEqual(before);
  expect(JSON.parse(r.attributesJson)).toEqual(before);
  expect(dialectOf(span)).toBe(r.dialect);
  return r;
}

const NULLS = { operation: null, agentName: null, provider: null, model: null, toolName: null, inputTokens: null, outputTokens: null, costUsd: null, sessionId: null, callId: null };

describe('dialectOf', () => {
  it('names our own spans agentpulse by tracer scope, also inside a Claude Code service (the hook adapter)', () => {
    expect(dialectOf(makeSpan({ scopeName: 'agentpulse' }))).toBe('agentpulse');
    expect(dialectOf(makeSpan({ scopeName: 'agentpulse.adapters.claude-code', resource: { 'service.name': 'claude-code' } }))).toBe('agentpulse');
    expect(dialectOf(makeSpan({ scopeName: 'app', attributes: { 'agentpulse.operation': 'task' } }))).toBe('agentpulse');
  });

  it('names a span with no AI attributes and a plain name unknown', () => {
    expect(dialectOf(foreign('GET /orders', { 'http.request.method': 'GET' }))).toBe('unknown');
    expect(dialectOf(foreign('chatter', {}))).toBe('unknown');
  });

  it('only ever answers one of DIALECTS', () => {
    expect([...DIALECTS].sort()).toEqual(['agentpulse', 'claude-code', 'gemini-cli', 'genai', 'openinference', 'openllmetry', 'unknown', 'vercel-ai']);
  });
});

describe('normalizeSpanWith on GenAI conventions (2026 and older)', () => {
  it('reads gen_ai.provider.name over gen_ai.system and keeps the cache token counts in attributes', () => {
    const r = normalized(
      foreign('chat claude-opus-4', {
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.system': 'anthropic.legacy',
        'gen_ai.request.model': 'claude-opus-4', 'gen_ai.response.model': 'claude-opus-4-20260301', 'gen_ai.response.id': 'msg_01XFDUDYJgAACzvnptvVoYEL',
        'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 310, 'gen_ai.usage.cache_read.input_tokens': 1024,
        'gen_ai.usage.cache_creation.input_tokens': 64, 'gen_ai.conversation.id': 'conv_5j66UpCpwteGg4YSxUnt7lPY', 'gen_ai.response.time_to_first_chunk': 0.41,
      }),
    );
    expect(columns(r)).toEqual({
      ...NULLS, operation: 'chat', provider: 'anthropic', model: 'claude-opus-4', inputTokens: 1200, outputTokens: 310,
      sessionId: 'conv_5j66UpCpwteGg4YSxUnt7lPY', callId: 'msg_01XFDUDYJgAACzvnptvVoYEL', dialect: 'genai',
    });
    expect(JSON.parse(r.attributesJson)).toMatchObject({ 'gen_ai.usage.cache_read.input_tokens': 1024, 'gen_ai.usage.cache_creation.input_tokens': 64 });
  });

  it('folds invoke_workflow into invoke_agent named by gen_ai.workflow.name', () => {
    const r = normalized(foreign('invoke_workflow triage', { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'triage', 'gen_ai.provider.name': 'openai' }));
    expect(columns(r)).toEqual({ ...NULLS, operation: 'invoke_agent', agentName: 'triage', provider: 'openai', dialect: 'genai' });
    const named = normalized(foreign('invoke_agent x', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.workflow.name': 'triage' }));
    expect(named.agentName).toBe('planner');
  });

  it('reads the legacy prompt/completion token names and the tool call id', () => {
    const chat = normalized(foreign('chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.prompt_tokens': 812, 'gen_ai.usage.completion_tokens': 95 }));
    expect(columns(chat)).toEqual({ ...NULLS, operation: 'chat', provider: 'openai', model: 'gpt-4o', inputTokens: 812, outputTokens: 95, dialect: 'genai' });
    const tool = normalized(foreign('execute_tool get_weather', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.id': 'call_mszuSIzqtI65i1wAUOE8w5H4', 'gen_ai.tool.type': 'function' }));
    expect(columns(tool)).toEqual({ ...NULLS, operation: 'execute_tool', toolName: 'get_weather', callId: 'call_mszuSIzqtI65i1wAUOE8w5H4', dialect: 'genai' });
  });

  it('takes the operation, and the model, tool or agent, from a GenAI span name when no attribute gives them', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['chat gpt-4o', { operation: 'chat', model: 'gpt-4o' }],
      ['execute_tool search', { operation: 'execute_tool', toolName: 'search' }],
      ['invoke_agent planner', { operation: 'invoke_agent', agentName: 'planner' }],
      ['embeddings text-embedding-3-small', { operation: 'embeddings', model: 'text-embedding-3-small' }],
      ['invoke_workflow nightly', { operation: 'invoke_agent', agentName: 'nightly' }],
      ['plan', { operation: 'plan' }],
    ];
    for (const [name, want] of cases) expect(columns(normalized(foreign(name, {}))), name).toEqual({ ...NULLS, ...want, dialect: 'genai' });
    expect(columns(normalized(foreign('chat gpt-4o', { 'gen_ai.request.model': 'gpt-4o-mini' }))).model).toBe('gpt-4o-mini');
    expect(normalized(foreign('chatter box', {})).operation).toBeNull();
  });

  it('stores negative or non-finite tokens and cost as NULL and keeps the raw values in attributes', () => {
    const a = { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': -5, 'gen_ai.usage.output_tokens': 'Infinity', 'agentpulse.cost.usd': -0.25 };
    const r = normalized(foreign('chat m', a));
    expect([r.inputTokens, r.outputTokens, r.costUsd]).toEqual([null, null, null]);
    expect(JSON.parse(r.attributesJson)).toEqual(a);
    // A bad new name does not hide a good legacy one.
    expect(normalized(foreign('chat m', { 'gen_ai.usage.input_tokens': -1, 'gen_ai.usage.prompt_tokens': 7 })).inputTokens).toBe(7);
  });
});

describe('normalizeSpanWith on OpenInference', () => {
  const scope = 'openinference.instrumentation.openai';

  it('maps an LLM span: model, provider, token counts, total cost, session', () => {
    const r = normalized(
      foreign('ChatCompletion', {
        'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-2024-08-06', 'llm.provider': 'openai', 'llm.system': 'openai',
        'llm.token_count.prompt': 1520, 'llm.token_count.completion': 212, 'llm.token_count.total': 1732, 'llm.token_count.prompt_details.cache_read': 1024,
        'llm.cost.prompt': 0.0038, 'llm.cost.completion': 0.00212, 'llm.cost.total': 0.00592, 'llm.invocation_parameters': '{"temperature":0}',
        'input.value': '{"messages":[]}', 'input.mime_type': 'application/json', 'session.id': 'sess-42', 'user.id': 'u-7',
      }, { scope }),
    );
    expect(columns(r)).toEqual({
      ...NULLS, operation: 'chat', provider: 'openai', model: 'gpt-4o-2024-08-06', inputTokens: 1520, outputTokens: 212, costUsd: 0.00592, sessionId: 'sess-42', dialect: 'openinference',
    });
  });

  it('maps TOOL, AGENT, EMBEDDING and the other kinds', () => {
    const tool = normalized(foreign('web_search', { 'openinference.span.kind': 'TOOL', 'tool.name': 'web_search', 'tool.parameters': '{"q":"x"}', 'tool_call.id': 'call_77', 'session.id': 's1' }, { scope }));
    expect(columns(tool)).toEqual({ ...NULLS, operation: 'execute_tool', toolName: 'web_search', callId: 'call_77', sessionId: 's1', dialect: 'openinference' });
    const agent = normalized(foreign('Agent workflow', { 'openinference.span.kind': 'AGENT', 'agent.name': 'researcher' }, { scope: 'openinference.instrumentation.openai_agents' }));
    expect(columns(agent)).toEqual({ ...NULLS, operation: 'invoke_agent', agentName: 'researcher', dialect: 'openinference' });
    const embed = normalized(foreign('CreateEmbeddings', { 'openinference.span.kind': 'EMBEDDING', 'embedding.model_name': 'text-embedding-3-small', 'llm.token_count.prompt': 9 }, { scope }));
    expect(columns(embed)).toEqual({ ...NULLS, operation: 'embeddings', model: 'text-embedding-3-small', inputTokens: 9, dialect: 'openinference' });
    const kinds: [string, string | null][] = [['CHAIN', 'chain'], ['RETRIEVER', 'retrieval'], ['RERANKER', 'reranker'], ['GUARDRAIL', 'guardrail'], ['EVALUATOR', 'evaluator'], ['PROMPT', 'prompt'], ['UNKNOWN', null], ['llm', 'chat']];
    for (const [kind, op] of kinds) expect(normalized(foreign('step', { 'openinference.span.kind': kind }, { scope: 'x' })).operation, kind).toBe(op);
  });

  it('adds up prompt and completion cost when there is no total, and drops a negative total', () => {
    expect(normalized(foreign('llm', { 'openinference.span.kind': 'LLM', 'llm.cost.prompt': 0.5, 'llm.cost.completion': 0.25 })).costUsd).toBe(0.75);
    expect(normalized(foreign('llm', { 'openinference.span.kind': 'LLM', 'llm.cost.total': -1 })).costUsd).toBeNull();
  });

  it("maps LangChain runs: the provider from ls_provider, LangGraph's graph and node runs as agents, other runs as they are", () => {
    const lc = '@arizeai/openinference-instrumentation-langchain';
    const meta = (m: Record<string, unknown>): string => JSON.stringify(m);
    const llm = normalized(foreign('ChatOpenAI', { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', metadata: meta({ ls_provider: 'openai', langgraph_node: 'writer' }) }, { scope: lc }));
    expect(columns(llm)).toEqual({ ...NULLS, operation: 'chat', provider: 'openai', model: 'gpt-4o-mini', dialect: 'openinference' });
    const graph = normalized(foreign('LangGraph', { 'openinference.span.kind': 'CHAIN', metadata: meta({ ls_integration: 'langgraph' }) }, { scope: lc }));
    expect(columns(graph)).toEqual({ ...NULLS, operation: 'invoke_agent', agentName: 'LangGraph', dialect: 'openinference' });
    const node = normalized(foreign('writer', { 'openinference.span.kind': 'CHAIN', metadata: meta({ ls_integration: 'langgraph', langgraph_node: 'writer', langgraph_step: 2 }) }, { scope: lc }));
    expect(columns(node)).toEqual({ ...NULLS, operation: 'invoke_agent', agentName: 'writer', dialect: 'openinference' });
    // Runs inside a node, LangGraph's own __start__, a chain outside any graph, and unreadable metadata stay chains.
    for (const [name, m] of [['RunnableLambda', meta({ langgraph_node: 'writer' })], ['__start__', meta({ langgraph_node: '__start__' })], ['RunnableSequence', meta({})], ['writer', '{not json']]) {
      expect(columns(normalized(foreign(name, { 'openinference.span.kind': 'CHAIN', metadata: m }, { scope: lc }))), name).toEqual({ ...NULLS, operation: 'chain', dialect: 'openinference' });
    }
  });
});

describe('normalizeSpanWith on OpenLLMetry', () => {
  const wf = { 'traceloop.workflow.name': 'research_flow' };

  it('maps workflow and agent spans to invoke_agent, tool spans to execute_tool, and leaves tasks alone', () => {
    const flow = normalized(foreign('research_flow.workflow', { ...wf, 'traceloop.span.kind': 'workflow', 'traceloop.entity.name': 'research_flow', 'traceloop.entity.input': '{}' }, { scope: 'traceloop.tracer' }));
    expect(columns(flow)).toEqual({ ...NULLS, operation: 'invoke_agent', agentName: 'research_flow', dialect: 'openllmetry' });
    const agent = normalized(foreign('writer.agent', { ...wf, 'traceloop.span.kind': 'agent', 'traceloop.entity.name': 'writer' }));
    expect(columns(agent)).toEqual({ ...NULLS, operation: 'invoke_agent', agentName: 'writer', dialect: 'openllmetry' });
    const tool = normalized(foreign('search_web.tool', { ...wf, 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'search_web' }));
    expect(columns(tool)).toEqual({ ...NULLS, operation: 'execute_tool', toolName: 'search_web', dialect: 'openllmetry' });
    const task = normalized(foreign('fetch_sources.task', { ...wf, 'traceloop.span.kind': 'task', 'traceloop.entity.name': 'fetch_sources' }));
    expect(columns(task)).toEqual({ ...NULLS, dialect: 'openllmetry' });
  });

  it('maps an older instrumentation LLM span by llm.request.type, with legacy token names', () => {
    const r = normalized(
      foreign('openai.chat', {
        'llm.request.type': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.prompt_tokens': 812, 'gen_ai.usage.completion_tokens': 95, 'llm.usage.total_tokens': 907, 'gen_ai.usage.cache_read_input_tokens': 512,
        'gen_ai.response.id': 'chatcmpl-AbC123', 'traceloop.association.properties.session_id': 'chat-9', ...wf,
      }, { scope: 'opentelemetry.instrumentation.openai.v1' }),
    );
    expect(columns(r)).toEqual({
      ...NULLS, operation: 'chat', provider: 'openai', model: 'gpt-4o', inputTokens: 812, outputTokens: 95, sessionId: 'chat-9', callId: 'chatcmpl-AbC123', dialect: 'openllmetry',
    });
    expect(JSON.parse(r.attributesJson)['gen_ai.usage.cache_read_input_tokens']).toBe(512);
    expect(normalized(foreign('openai.completion', { 'llm.request.type': 'completion' })).operation).toBe('text_completion');
    expect(normalized(foreign('openai.embeddings', { 'llm.request.type': 'embedding' })).operation).toBe('embeddings');
  });
});

describe('normalizeSpanWith on the Vercel AI SDK', () => {
  const common = { 'ai.telemetry.functionId': 'summarize-ticket', 'resource.name': 'summarize-ticket', 'ai.settings.maxRetries': 2 };

  it('maps doGenerate to chat: model, provider before its dot, tokens, response id, functionId as agent', () => {
    const r = normalized(
      foreign('ai.generateText.doGenerate', {
        ...common, 'operation.name': 'ai.generateText.doGenerate summarize-ticket', 'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.id': 'gpt-4o-mini', 'ai.model.provider': 'openai.chat', 'ai.usage.promptTokens': 420, 'ai.usage.completionTokens': 64,
        'ai.response.finishReason': 'stop', 'ai.response.id': 'resp_1', 'gen_ai.system': 'openai.chat', 'gen_ai.request.model': 'gpt-4o-mini',
      }, { scope: 'ai' }),
    );
    expect(columns(r)).toEqual({
      ...NULLS, operation: 'chat', agentName: 'summarize-ticket', provider: 'openai', model: 'gpt-4o-mini', inputTokens: 420, outputTokens: 64, callId: 'resp_1', dialect: 'vercel-ai',
    });
  });

  it('reads the v5 inputTokens/outputTokens names on a stream', () => {
    const r = normalized(foreign('ai.streamText.doStream', { 'ai.operationId': 'ai.streamText.doStream', 'ai.model.id': 'claude-sonnet-4', 'ai.model.provider': 'anthropic.messages', 'ai.usage.inputTokens': 900, 'ai.usage.outputTokens': 120, 'ai.response.msToFirstChunk': 380 }, { scope: 'ai' }));
    expect(columns(r)).toEqual({ ...NULLS, operation: 'chat', provider: 'anthropic', model: 'claude-sonnet-4', inputTokens: 900, outputTokens: 120, dialect: 'vercel-ai' });
  });

  it('maps ai.toolCall to execute_tool and embeddings to embeddings; the outer wrapper gets no operation, model or tokens', () => {
    const tool = normalized(foreign('ai.toolCall', { ...common, 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'getWeather', 'ai.toolCall.id': 'call_9', 'ai.toolCall.args': '{}' }, { scope: 'ai' }));
    expect(columns(tool)).toEqual({ ...NULLS, operation: 'execute_tool', agentName: 'summarize-ticket', toolName: 'getWeather', callId: 'call_9', dialect: 'vercel-ai' });
    const embed = normalized(foreign('ai.embedMany.doEmbed', { 'ai.operationId': 'ai.embedMany.doEmbed', 'ai.model.id': 'text-embedding-3-small', 'ai.model.provider': 'openai.embedding', 'ai.usage.tokens': 120 }, { scope: 'ai' }));
    expect(columns(embed)).toEqual({ ...NULLS, operation: 'embeddings', provider: 'openai', model: 'text-embedding-3-small', inputTokens: 120, dialect: 'vercel-ai' });
    const outer = normalized(foreign('ai.generateText', { ...common, 'ai.operationId': 'ai.generateText', 'ai.model.id': 'gpt-4o-mini', 'ai.model.provider': 'openai.chat', 'ai.usage.promptTokens': 840, 'ai.usage.completionTokens': 128 }, { scope: 'ai' }));
    expect(columns(outer)).toEqual({ ...NULLS, agentName: 'summarize-ticket', dialect: 'vercel-ai' });
  });

  it('leaves agent names that GenAI attributes give alone', () => {
    const r = normalized(foreign('ai.toolCall', { ...common, 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 't', 'gen_ai.agent.name': 'support-bot' }));
    expect(r.agentName).toBe('support-bot');
  });
});

describe('normalizeSpanWith on Claude Code beta traces', () => {
  const cc = { scope: 'com.anthropic.claude_code.tracing', service: 'claude-code' };
  const session = { 'session.id': '2f1c6b1e-8d2a-4c1e-9d61-6f0b1c2a3d4e', 'app.version': '2.1.130', 'terminal.type': 'vscode' };

  it('maps the interaction to an invoke_agent run of claude-code', () => {
    const r = normalized(foreign('claude_code.interaction', { ...session, user_prompt_length: 42, 'interaction.sequence': 3, 'interaction.duration_ms': 18250 }, cc));
    expect(columns(r)).toEqual({ ...NULLS, operation: 'invoke_agent', agentName: 'claude-code', sessionId: session['session.id'], dialect: 'claude-code' });
  });

  it('maps llm_request to chat with tokens from numeric strings and the request id as call id', () => {
    const r = normalized(
      foreign('claude_code.llm_request', {
        ...session, model: 'claude-sonnet-4-5', 'gen_ai.system': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5', query_source: 'main',
        agent_id: 'a-main', duration_ms: '2100', ttft_ms: '640', input_tokens: '3120', output_tokens: '480', cache_read_tokens: '2900',
        cache_creation_tokens: '0', request_id: 'req_011CVx9Zp', 'gen_ai.response.id': 'msg_01AbC', attempt: 1, success: 'true', status_code: 200, stop_reason: 'tool_use',
      }, cc),
    );
    expect(columns(r)).toEqual({
      ...NULLS, operation: 'chat', agentName: 'claude-code', provider: 'anthropic', model: 'claude-sonnet-4-5', inputTokens: 3120, outputTokens: 480,
      sessionId: session['session.id'], callId: 'req_011CVx9Zp', dialect: 'claude-code',
    });
    expect(r.statusCode).toBe('UNSET');
    // No request id: the response id; no gen_ai.system or gen_ai.request.model: anthropic and `model`.
    const bare = normalized(foreign('claude_code.llm_request', { model: 'claude-haiku-4-5', input_tokens: 10, output_tokens: 2, 'gen_ai.response.id': 'msg_02' }, { scope: null, service: 'x' }));
    expect(columns(bare)).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5', inputTokens: 10, outputTokens: 2, callId: 'msg_02', dialect: 'claude-code' });
  });

  it('marks a request with success "false" ERROR, typed by its HTTP status', () => {
    const r = normalized(foreign('claude_code.llm_request', { model: 'claude-opus-4-1', success: 'false', status_code: '529', attempt: 3, request_id: 'req_x' }, cc));
    expect([r.statusCode, r.errorType]).toEqual(['ERROR', '529']);
    const exec = normalized(foreign('claude_code.tool.execution', { success: false, error: 'exit status 1' }, cc));
    expect([exec.statusCode, exec.errorType, exec.operation]).toEqual(['ERROR', '_OTHER', null]);
  });

  it('maps the tool span to execute_tool, call id from gen_ai.tool.call.id else tool_use_id; its children get no operation', () => {
    const tool = normalized(foreign('claude_code.tool', { ...session, tool_name: 'Bash', duration_ms: 1200, tool_use_id: 'toolu_01A', 'gen_ai.tool.call.id': 'toolu_01A', agent_id: 'a-main' }, cc));
    expect(columns(tool)).toEqual({ ...NULLS, operation: 'execute_tool', agentName: 'claude-code', toolName: 'Bash', sessionId: session['session.id'], callId: 'toolu_01A', dialect: 'claude-code' });
    expect(normalized(foreign('claude_code.tool', { tool_name: 'Read', tool_use_id: 'toolu_02B' }, cc)).callId).toBe('toolu_02B');
    expect(normalized(foreign('claude_code.tool.blocked_on_user', { decision: 'accept', source: 'config' }, cc)).operation).toBeNull();
  });

  it('recognises Claude Code by service name when the span name has no prefix', () => {
    expect(dialectOf(foreign('HTTP POST', {}, { service: 'claude-code-desktop' }))).toBe('claude-code');
  });
});

describe('normalizeSpanWith on Gemini CLI traces', () => {
  const g = { scope: 'gemini-cli', service: 'gemini-cli' };

  it('reads gen_ai.tool.call_id (the underscore near-miss) and the operation from gen_ai.operation.name', () => {
    const tool = normalized(foreign('tool_call', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read_file', 'gen_ai.tool.call_id': 'read_file-1761-0d3f', 'gen_ai.agent.name': 'gemini-cli', 'gen_ai.conversation.id': 'sess-g1' }, g));
    expect(columns(tool)).toEqual({ ...NULLS, operation: 'execute_tool', agentName: 'gemini-cli', toolName: 'read_file', sessionId: 'sess-g1', callId: 'read_file-1761-0d3f', dialect: 'gemini-cli' });
    const llm = normalized(foreign('llm_call', { 'gen_ai.operation.name': 'generate_content', 'gen_ai.request.model': 'gemini-2.5-pro', 'gen_ai.usage.input_tokens': 5321, 'gen_ai.usage.output_tokens': 77, 'gen_ai.conversation.id': 'sess-g1' }, g));
    expect(columns(llm)).toEqual({ ...NULLS, operation: 'generate_content', model: 'gemini-2.5-pro', inputTokens: 5321, outputTokens: 77, sessionId: 'sess-g1', dialect: 'gemini-cli' });
    const agent = normalized(foreign('agent_call', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'codebase_investigator' }, g));
    expect(columns(agent)).toMatchObject({ operation: 'invoke_agent', agentName: 'codebase_investigator', dialect: 'gemini-cli' });
  });

  it('falls back on the span name when gen_ai.operation.name is missing', () => {
    expect(normalized(foreign('llm_call', { 'gen_ai.request.model': 'gemini-2.5-flash' }, g)).operation).toBe('chat');
    expect(normalized(foreign('agent_call', {}, g)).operation).toBe('invoke_agent');
  });
});

describe('normalizeSpanWith on arbitrary input', () => {
  const KEYS = [
    'gen_ai.operation.name', 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'gen_ai.tool.call_id', 'gen_ai.workflow.name', 'agentpulse.cost.usd',
    'openinference.span.kind', 'llm.token_count.prompt', 'llm.cost.total', 'llm.cost.prompt', 'llm.cost.completion', 'traceloop.span.kind', 'llm.request.type',
    'ai.operationId', 'ai.model.provider', 'ai.usage.inputTokens', 'ai.usage.tokens', 'input_tokens', 'success', 'status_code', 'agentpulse.team.members',
  ];
  const scalar = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('-3', '1e400', 'NaN', ' ', 'false', 'LLM', 'workflow', 'chat'));
  const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string(), scalar, { maxKeys: 3 }));
  const attributes = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string()), value, { maxKeys: 12 });
  const name = fc.oneof(fc.string(), fc.constantFrom('claude_code.tool', 'claude_code.llm_request', 'ai.toolCall', 'ai.generateText.doGenerate', 'chat ', 'execute_tool', 'llm_call'));
  const scope = fc.oneof(fc.constant(null), fc.string(), fc.constantFrom('agentpulse', 'openinference.x', 'gemini-cli'));
  const service = fc.oneof(fc.string(), fc.constantFrom('claude-code', 'gemini-cli'), fc.integer());

  it('never throws, and keeps the columns in range', () => {
    fc.assert(
      fc.property(attributes, name, scope, service, (attrs, n, sc, svc) => {
        const span = makeSpan({ name: n, attributes: attrs as Attributes, scopeName: sc, resource: { 'service.name': svc } });
        const r = normalizeSpanWith(span, new ResourceMemo());
        for (const t of [r.inputTokens, r.outputTokens]) expect(t === null || (Number.isSafeInteger(t) && t >= 0)).toBe(true);
        expect(r.costUsd === null || (Number.isFinite(r.costUsd) && r.costUsd >= 0)).toBe(true);
        expect(DIALECTS).toContain(r.dialect);
        expect(dialectOf(span)).toBe(r.dialect);
      }),
      { numRuns: 500 },
    );
  });
});
