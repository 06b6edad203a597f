import { otlpDefaults } from './otlp-defaults';

describe('otlpDefaults', () => {
  it("points every service at the storefront's OTLP receiver, in OTLP/JSON, when no endpoint is given", () => {
    expect(otlpDefaults({}, 'http://127.0.0.1:3000')).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:3000/otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    expect(otlpDefaults({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, 'http://127.0.0.1:3000')).toHaveProperty('OTEL_EXPORTER_OTLP_ENDPOINT');
  });

  it('leaves a given endpoint, and its protocol, alone', () => {
    expect(otlpDefaults({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'http://127.0.0.1:3000')).toEqual({});
  });

  it('sets nothing when the run has no storefront', () => {
    expect(otlpDefaults({}, undefined)).toEqual({});
  });
});
