import { exportPlan } from './export-plan';

describe('exportPlan', () => {
  it('exports nothing when no OTLP endpoint is set, rather than retrying localhost:4318', () => {
    expect(exportPlan({})).toEqual({ disabled: false, traces: false, metrics: false });
  });

  it('exports traces and metrics to the one endpoint set, in either HTTP encoding', () => {
    for (const protocol of ['http/json', 'http/protobuf']) {
      expect(exportPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_PROTOCOL: protocol })).toEqual({
        disabled: false,
        traces: true,
        metrics: true,
      });
    }
  });

  it("takes the gRPC endpoint Azure Container Apps injects for its environment's OpenTelemetry agent", () => {
    expect(exportPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.service.k8se-apps:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual({
      disabled: false,
      traces: true,
      metrics: true,
    });
  });

  it('exports one signal when only its own endpoint is set', () => {
    expect(exportPlan({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toMatchObject({
      traces: true,
      metrics: false,
    });
  });

  it('honours OTEL_SDK_DISABLED and an exporter of none', () => {
    expect(exportPlan({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual({
      disabled: true,
      traces: false,
      metrics: false,
    });
    expect(exportPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_METRICS_EXPORTER: 'none' })).toMatchObject({
      traces: true,
      metrics: false,
    });
  });

  it('exports to a named exporter that needs no endpoint', () => {
    expect(exportPlan({ OTEL_TRACES_EXPORTER: 'console' })).toMatchObject({ traces: true, metrics: false });
  });

  it('names the variable that is wrong', () => {
    expect(() => exportPlan({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(() => exportPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
