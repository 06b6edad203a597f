import { ConfigError } from '@stitch/messaging-core';
import { traceViewConfig } from './trace-view.config';

function load(env: Record<string, string>) {
  const saved = { ...process.env };
  for (const name of ['NODE_ENV', 'TRACE_VIEW_ENABLED', 'TRACE_VIEW_MAX_SPANS', 'TRACE_VIEW_MAX_BODY_BYTES']) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return traceViewConfig();
  } finally {
    process.env = saved;
  }
}

describe('the trace view settings', () => {
  it('are on where npm start runs the storefront, off in production unless told, with bounds by default', () => {
    expect(load({})).toEqual({ enabled: true, maxSpans: 20_000, maxBodyBytes: 4 * 1_048_576 });
    expect(load({ NODE_ENV: 'production' }).enabled).toBe(false);
    expect(load({ NODE_ENV: 'production', TRACE_VIEW_ENABLED: 'true' }).enabled).toBe(true);
    expect(load({ TRACE_VIEW_ENABLED: 'off' }).enabled).toBe(false);
  });

  it('refuse what is not a setting, naming it', () => {
    expect(() => load({ TRACE_VIEW_ENABLED: 'yes' })).toThrow(ConfigError);
    expect(() => load({ TRACE_VIEW_ENABLED: 'yes' })).toThrow(/^Invalid traceView configuration: TRACE_VIEW_ENABLED: /);
    expect(() => load({ TRACE_VIEW_MAX_SPANS: '10' })).toThrow(/TRACE_VIEW_MAX_SPANS/);
  });
});
