import { otlpDefaults } from './otlp-defaults';

describe('otlpDefaults', () => {
  it("points every service's traces at the storefront's OTLP receiver, in OTLP/JSON, when no endpoint is given", () => {
    expect(otlpDefaults({}, 'http://127.0.0.1:3000')).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:3000/otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRICS_EXPORTER: 'none',
    });
    expect(otlpDefaults({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, 'http://127.0.0.1:3000')).toHaveProperty('OTEL_EXPORTER_OTLP_ENDPOINT');
  });

  it('exports metrics to the storefront too when OTEL_METRICS_EXPORTER asks for them', () => {
    expect(otlpDefaults({ OTEL_METRICS_EXPORTER: 'otlp' }, 'http://127.0.0.1:3000')).not.toHaveProperty('OTEL_METRICS_EXPORTER');
  });

  it('leaves a given endpoint, and its protocol, alone', () => {
    expect(otlpDefaults({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'http://127.0.0.1:3000')).toEqual({});
  });

  it('sets nothing when the run has no storefront', () => {
    expect(otlpDefaults({}, undefined)).toEqual({});
  });
});
