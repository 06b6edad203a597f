/**
 * Incoming requests that start no trace: health probes, and exports arriving at an OTLP receiver (the storefront's
 * `/otlp/v1/traces`). Tracing an export would make spans of every export, themselves exported to the receiver, and so
 * on; and at shutdown, the other services' last exports would leave spans for a receiver that has stopped listening.
 */
export function isUntracedRequest(url: string | undefined): boolean {
  if (url === undefined) return false;
  const path = url.split('?', 1)[0] ?? '';
  return path.startsWith('/health') || /\/v1\/(traces|metrics|logs)$/.test(path);
}
