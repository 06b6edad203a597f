/** What a correlation id looks like: the storefront takes one from `x-correlation-id` only when it matches this. */
export const CORRELATION_ID_PATTERN = /^[\w.:-]{1,128}$/;
