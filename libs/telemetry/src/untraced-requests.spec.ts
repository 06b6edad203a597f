import { isUntracedRequest } from './untraced-requests';

describe('isUntracedRequest', () => {
  it.each(['/health', '/health/ready', '/otlp/v1/traces', '/otlp/v1/metrics', '/v1/logs', '/otlp/v1/traces?x=1'])(
    'leaves %s untraced',
    (url) => expect(isUntracedRequest(url)).toBe(true),
  );

  it.each(['/api/orders', '/api/traces', '/api/traces/0af7651916cd43dd8448eb211c80319c', '/v1/tracesx', '/', undefined])(
    'traces %s',
    (url) => expect(isUntracedRequest(url)).toBe(false),
  );
});
