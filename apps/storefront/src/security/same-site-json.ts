import type { IncomingMessage } from 'node:http';

/** What this middleware uses of Express's request and response. */
type Request = IncomingMessage & {
  readonly method: string;
  readonly protocol: string;
  readonly path: string;
  get(name: string): string | undefined;
};
interface Response {
  status(code: number): { json(body: unknown): void };
}
type NextFunction = () => void;

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Sec-Fetch-Site values a browser sends for the storefront's own page, or for a request the user typed. */
const OWN_SITE = new Set(['same-origin', 'none']);

function isJson(contentType: string | undefined): boolean {
  const media = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || /^application\/[\w.+-]+\+json$/.test(media);
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return length !== undefined ? Number(length) > 0 : request.headers['transfer-encoding'] !== undefined;
}

/**
 * Every POST, PUT, PATCH and DELETE must come from the storefront's own page (or an allowed origin) and carry JSON.
 * A browser names where a request comes from (`Origin`, and `Sec-Fetch-Site` in current browsers); a request from
 * another site is refused with 403 before its body is read. A form post (urlencoded, multipart, text/plain: the
 * bodies another site can send without a CORS preflight) is refused with 415. Clients that are not browsers send
 * neither header and are judged on the content type alone. Routes under `ownBodies` (path prefixes, such as the OTLP
 * receiver's protobuf) judge their content types themselves; the cross-site check still applies to them.
 */
export function sameSiteJsonOnly(allowedOrigins: readonly string[], { ownBodies = [] }: { ownBodies?: readonly string[] } = {}) {
  const allowed = new Set(allowedOrigins);
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!MUTATING.has(request.method)) return next();
    const origin = request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    const trusted = typeof origin === 'string' && (origin === `${request.protocol}://${request.get('host') ?? ''}` || allowed.has(origin));
    if ((origin !== undefined && !trusted) || (typeof site === 'string' && !OWN_SITE.has(site) && !trusted)) {
      response.status(403).json({ message: 'Cross-site requests are refused: this API answers only the storefront’s own page' });
      return;
    }
    if (ownBodies.some((prefix) => request.path.startsWith(prefix))) return next();
    const contentType = request.headers['content-type'];
    if ((request.method !== 'DELETE' || contentType !== undefined || hasBody(request)) && !isJson(contentType)) {
      response
        .status(415)
        .json({ message: 'Invalid request', errors: [{ path: '', message: 'the body must be JSON (content-type: application/json)' }] });
      return;
    }
    next();
  };
}
