import { CONTENT_SECURITY_POLICY } from '@stitch/messaging-core';

/** The shared policy (CONTENT_SECURITY_POLICY of the messaging lib) with some directives replaced, as a header value. */
export function contentSecurityPolicy(replaced: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries({ ...CONTENT_SECURITY_POLICY, ...replaced })
    .map(([directive, values]) => `${directive} ${values.join(' ')}`)
    .join('; ');
}
