import protobuf from 'protobufjs';

/**
 * The part of OTLP's `ExportTraceServiceRequest` (opentelemetry-proto v1: collector/trace/v1/trace_service.proto,
 * trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto) that the trace view reads, with the
 * official field numbers and wire types. Fields left out (events, links, trace state, dropped counts, schema URLs)
 * are skipped by the decoder as unknown fields, which protobuf allows; names are OTLP/JSON's, so the decoded
 * message has the shape an OTLP/JSON body has.
 */
const OTLP_TRACES: protobuf.INamespace = {
  nested: {
    AnyValue: {
      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
        status: { type: 'Status', id: 15 },
      },
    },
    ScopeSpans: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 } } },
    ResourceSpans: { fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 } } },
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
    ExportTracePartialSuccess: { fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } } },
    ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
  },
};

const root = protobuf.Root.fromJSON(OTLP_TRACES);
const requestType = root.lookupType('ExportTraceServiceRequest');
const responseType = root.lookupType('ExportTraceServiceResponse');

/** Thrown for bytes that are not an ExportTraceServiceRequest; the message names the first thing wrong. */
export class UndecodableProtobufError extends Error {}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/**
 * An OTLP/HTTP protobuf body as the OTLP/JSON object it stands for: ids in hex, 64-bit integers as decimal strings,
 * bytes values in base64 (as OTLP/JSON writes them), so one reader serves both encodings.
 */
export function decodeOtlpTracesProtobuf(body: Uint8Array): unknown {
  let message: protobuf.Message;
  try {
    message = requestType.decode(body);
  } catch (error) {
    // protobufjs names the offset and the wire problem ("index out of range: 12 + 10 > 20"); nothing of the body.
    throw new UndecodableProtobufError(`the body is not an OTLP ExportTraceServiceRequest (${(error as Error).message})`);
  }
  const object = requestType.toObject(message, { longs: String, defaults: false });
  return withBytesAsText(object);
}

function withBytesAsText(value: unknown, key?: string): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString(key !== undefined && ID_FIELDS.has(key) ? 'hex' : 'base64');
  if (Array.isArray(value)) return value.map((item) => withBytesAsText(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, withBytesAsText(inner, name)]));
  }
  return value;
}

/** The protobuf answer to an export: empty when every span was kept, else how many were not and why. */
export function encodeOtlpTracesResponse(partialSuccess?: { rejectedSpans: number; errorMessage: string }): Uint8Array {
  return responseType.encode(responseType.fromObject(partialSuccess ? { partialSuccess } : {})).finish();
}
