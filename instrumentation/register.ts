/**
 * Drop-in preload: `node --import agentpulse/register app.js`.
 * Instruments an unmodified program. With OTEL_SDK_DISABLED=true it loads nothing.
 */
const disabled = ['true', '1', 'yes', 'on'].includes((process.env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase());

if (!disabled) {
  try {
    const { startAgentpulse } = await import('./sdk.js');
    await startAgentpulse();
    // Framework adapters (openai, @anthropic-ai/sdk, ai, @openai/agents): see docs/adapters.md.
    const { installAdapters } = await import('./adapters/install.js');
    installAdapters();
  } catch (err) {
    // The host program must run even if tracing cannot start.
    process.stderr.write(`agentpulse: tracing disabled, setup failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

export {};
