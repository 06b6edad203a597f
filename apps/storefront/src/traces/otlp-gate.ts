import type { IncomingMessage } from 'node:http';
import type { OperatorConfig } from '../config/operator.config';
import type { TraceViewConfig } from '../config/trace-view.config';
import { sameSecret } from '../security/operator.guard';

/** What this middleware uses of Express's request and response. */
type Request = IncomingMessage & { readonly ip?: string };
interface Response {
  status(code: number): { json(body: unknown): void };
}

/** Where the OTLP receiver is mounted: the launcher points OTEL_EXPORTER_OTLP_ENDPOINT at `<storefront>/otlp`. */
export const OTLP_PATH = '/otlp';

/** OTLP/HTTP's two encodings, by content type; undefined for any other. */
export function otlpEncoding(contentType: string | string[] | undefined): 'json' | 'protobuf' | undefined {
  const media = String(contentType ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  return media === 'application/json' ? 'json' : media === 'application/x-protobuf' ? 'protobuf' : undefined;
}

/** A request body for the OTLP receiver: under /otlp/, in one of OTLP/HTTP's encodings. */
export function isOtlpBody(request: IncomingMessage): boolean {
  return (request.url ?? '').startsWith(`${OTLP_PATH}/`) && otlpEncoding(request.headers['content-type']) !== undefined;
}

/** A client on this host: the launcher's services, which export to the storefront over 127.0.0.1. */
export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

export const TRACE_VIEW_OFF = 'The trace view is off: set TRACE_VIEW_ENABLED=true (it is off by default with NODE_ENV=production)';

/**
 * Who may send spans, decided before a body is read: nobody while the trace view is off (404); a client on this host
 * (its address as Express sees it, so TRUST_PROXY applies: a remote client forwarded by a trusted proxy is not
 * local); anyone else only with the operator token (`OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer <token>`).
 * The receiver is exempt from the POST rate limit, so this is what keeps it from being an open write endpoint.
 */
export function otlpGate(traceView: TraceViewConfig, operator: OperatorConfig) {
  return (request: Request, response: Response, next: () => void): void => {
    if (!traceView.enabled) return response.status(404).json({ message: TRACE_VIEW_OFF });
    if (isLoopback(request.ip)) return next();
    const offered = /^Bearer +([\x21-\x7e]+) *$/i.exec(request.headers.authorization ?? '')?.[1];
    if (operator.token !== undefined && offered !== undefined && sameSecret(offered, operator.token)) return next();
    response.status(403).json({
      message: 'Spans are accepted from this host only, or with the operator token (Authorization: Bearer <OPERATOR_TOKEN>)',
    });
  };
}
