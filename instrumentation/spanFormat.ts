/**
 * Binary wire format between the host thread and the writer thread. The host pays for
 * this on every span, so it is built to be cheap to write from JavaScript: short ASCII
 * strings are copied byte by byte and interned per batch (attribute keys, agent and model
 * names, trace and parent ids repeat), numbers are varints, and the result is one small
 * byte array (a third of the old JSON) that is copied to the worker without a big string
 * for the garbage collector. Everything else (bigint times, normalisation, DuckDB)
 * happens on the writer thread.
 *
 * Batch  = VERSION:u8, baseSec:f64, spanCount:u32, span*
 * Span   = trace:(0 traceId:str | 1 = the previous span's), spanId:str,
 *          parent:(0 = none | 1 spanId:str | 2 = the previous parent written), name:str, kind:u8,
 *          start:time, end:time, statusCode:u8, statusMessage:(0 | 1 str), attributes:obj,
 *          resource:ref, scope:ref, events:varint (name:str time obj)*, links:varint (traceId:str spanId:str obj)*
 * time   = zigzag(sec - baseSec):varint, nanos:varint
 * ref    = varint k: k even → index k/2 of an earlier one; k odd → a new one follows
 *          (resource: obj; scope: name:str version:(0 | 1 str)) and gets the next index
 * str    = varint h, by h & 3: 0 → h>>2 ASCII bytes follow; 1 → the same, and the string is
 *          interned; 2 → interned string number h>>2; 3 → u32 byte length + UTF-8 bytes
 * obj    = (key:str value)* then the varint 0 (an empty not-interned string cannot be a key
 *          header here: empty keys are written as long strings)
 * value  = tag:u8 then: NULL | FALSE | TRUE | INT zigzag varint | F64 f64 | STR str | ARR varint value* | OBJ obj
 *
 * Values that JSON cannot represent are treated as JSON.stringify would treat them
 * (undefined attributes are skipped; NaN, ±Infinity, undefined in arrays become null; a
 * bigint becomes its decimal string), so every ingest path stores the same thing.
 */

/** Format version, the batch's first byte; the decoder refuses any other. */
export const VERSION = 2;
/** Value tags (one byte before each attribute value). */
export const TAG_NULL = 0;
export const TAG_FALSE = 1;
export const TAG_TRUE = 2;
export const TAG_INT = 3;
export const TAG_F64 = 4;
export const TAG_STR = 5;
export const TAG_ARR = 6;
export const TAG_OBJ = 7;
/** Strings up to this many UTF-16 units are candidates for the per-batch intern table. */
export const SHORT = 64;
/** Bytes before the first span: VERSION:u8, baseSec:f64, spanCount:u32. */
export const HEADER = 13;
