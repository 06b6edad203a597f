import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { InvalidRequestException, UnreadableBodyException } from '../http/api-error';
import { otlpEncoding } from './otlp-gate';
import { decodeOtlpTracesProtobuf, encodeOtlpTracesResponse, UndecodableProtobufError } from './otlp-protobuf';
import { readOtlpTraces } from './otlp-traces';
import { SpanStore } from './span-store';

/** What this controller uses of Express's request and response. */
interface Request {
  readonly body: unknown;
  readonly headers: Record<string, string | string[] | undefined>;
}
interface Response {
  status(code: number): Response;
  type(contentType: string): Response;
  send(body: Buffer | string): void;
  json(body: unknown): void;
}

type Encoding = 'json' | 'protobuf';

function encodingOf(request: Request): Encoding {
  const encoding = otlpEncoding(request.headers['content-type']);
  if (!encoding) throw new UnreadableBodyException(415, 'OTLP/HTTP bodies are application/json or application/x-protobuf');
  return encoding;
}

/** The body as the raw parser in configureHttp left it; an empty body is an empty export. */
function bytesOf(request: Request): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/**
 * The OTLP/HTTP receiver the shop's services export to when `npm start` runs them: traces are kept for the page's
 * trace view; metrics and logs are answered 200 and dropped, so an exporter configured for them stays quiet.
 * Who may send is decided before the body is read (otlp-gate.ts); the POST rate limit does not apply, since an
 * exporter refused with 429 would drop spans, and the body limit is the trace view's own (TRACE_VIEW_MAX_BODY_BYTES).
 */
@ApiExcludeController()
@SkipThrottle()
@Controller('otlp/v1')
export class OtlpReceiverController {
  constructor(@Inject(SpanStore) private readonly store: SpanStore) {}

  @Post('traces')
  @HttpCode(200)
  traces(@Req() request: Request, @Res() response: Response): void {
    const encoding = encodingOf(request);
    const body = bytesOf(request);
    let decoded: unknown;
    try {
      decoded = encoding === 'protobuf' ? decodeOtlpTracesProtobuf(body) : body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (error) {
      const problem =
        error instanceof UndecodableProtobufError
          ? error.message
          : 'the body is not valid JSON (an OTLP ExportTraceServiceRequest is expected)';
      throw new InvalidRequestException([{ path: '', message: problem }]);
    }
    const reading = readOtlpTraces(decoded);
    if (!reading.ok) throw new InvalidRequestException(reading.problems);
    const { refused } = this.store.add(reading.spans);
    const rejectedSpans = reading.rejected + refused;
    const errorMessage = reading.rejectedBecause ?? 'a trace has more spans than the trace view keeps (TRACE_VIEW_MAX_SPANS)';
    const partialSuccess = rejectedSpans > 0 ? { rejectedSpans, errorMessage } : undefined;
    if (encoding === 'protobuf') {
      response
        .status(200)
        .type('application/x-protobuf')
        .send(Buffer.from(encodeOtlpTracesResponse(partialSuccess)));
    } else {
      // OTLP/JSON writes 64-bit integers as strings.
      response.status(200).json(partialSuccess ? { partialSuccess: { ...partialSuccess, rejectedSpans: String(rejectedSpans) } } : {});
    }
  }

  @Post('metrics')
  @HttpCode(200)
  metrics(@Req() request: Request, @Res() response: Response): void {
    this.discard(request, response);
  }

  @Post('logs')
  @HttpCode(200)
  logs(@Req() request: Request, @Res() response: Response): void {
    this.discard(request, response);
  }

  /** Accepted and dropped: an empty Export*ServiceResponse, in the request's own encoding. */
  private discard(request: Request, response: Response): void {
    if (encodingOf(request) === 'protobuf') response.status(200).type('application/x-protobuf').send(Buffer.alloc(0));
    else response.status(200).json({});
  }
}
