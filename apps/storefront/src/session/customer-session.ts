import type { Request, Response } from 'express';
import { z } from 'zod';
import type { SessionConfig } from '../config/session.config';

/** The cookie that carries a customer's session: signed by the storefront, never readable by the page's scripts. */
export const SESSION_COOKIE = 'stitch_session';

/**
 * What the cookie holds, signed (HMAC-SHA256 by cookie-parser / cookie-signature): the customer's id and when the
 * session ends. The end is inside the signed value, so a copied cookie stops working then whatever its Max-Age.
 */
const sessionValueSchema = z.object({ c: z.uuid(), exp: z.number().int() });

export interface CustomerSession {
  readonly customerId: string;
  readonly expiresAt: number;
}

/** Gives the browser its session: after sign-up, the customer is the one who signed up. */
export function issueSession(
  request: Request,
  response: Response,
  customerId: string,
  config: SessionConfig,
  now = Date.now(),
): CustomerSession {
  const expiresAt = now + config.ttlMs;
  response.cookie(SESSION_COOKIE, { c: customerId, exp: expiresAt } satisfies z.infer<typeof sessionValueSchema>, {
    signed: true,
    httpOnly: true,
    // Strict: the browser sends it only on requests the shop's own page makes, never on one another site starts
    // (a form posting an order, a link, an image), so no other site can act as the customer (CSRF). The page
    // calls the API with fetch and EventSource after it has loaded, so Strict costs it nothing.
    sameSite: 'strict',
    secure: config.secure === 'always' || (config.secure === 'auto' && request.secure),
    path: '/',
    expires: new Date(expiresAt),
  });
  return { customerId, expiresAt };
}

/** The session the request carries, when its cookie is there, signed by this shop and not expired. */
export function sessionOf(request: Request, now = Date.now()): CustomerSession | undefined {
  // cookie-parser puts a cookie whose signature holds in signedCookies (a JSON one parsed), a forged one as false.
  const signed = (request as Request & { signedCookies?: Record<string, unknown> }).signedCookies ?? {};
  const parsed = sessionValueSchema.safeParse(signed[SESSION_COOKIE]);
  if (!parsed.success || parsed.data.exp <= now) return undefined;
  return { customerId: parsed.data.c, expiresAt: parsed.data.exp };
}
