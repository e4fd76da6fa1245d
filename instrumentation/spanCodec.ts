/**
 * The binary span codec between the host thread and the writer thread. The wire format's
 * specification is the header comment of spanFormat.ts (with its constants); the encoder
 * (host thread, every span) is SpanBatchEncoder.ts and the decoder (writer thread) is
 * spanDecoder.ts. Importers use this module.
 */
export { SpanBatchEncoder, encodeSpanBatch } from './SpanBatchEncoder.js';
export { decodeSpanBatch } from './spanDecoder.js';
