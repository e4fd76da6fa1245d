export { decodeTraceRequestProtobuf } from './protobuf.js';
export { decodeTraceRequestJson, JsonDecodeError } from './json.js';
export { ProtoDecodeError } from './ProtoReader.js';
export type { DecodeResult } from './decodeResult.js';
export { encodeExportResponse, encodeStatus, CONTENT_TYPES, type OtlpEncoding } from './response.js';
