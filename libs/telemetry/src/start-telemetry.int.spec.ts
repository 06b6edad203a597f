import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

interface Export {
  readonly path: string | undefined;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

const fixture = path.join(__dirname, '../test/fixtures/traced-process.ts');

/** Runs the fixture process with these settings; resolves once it has exited, with what it printed. */
async function runFixture(
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--require', '@swc-node/register', fixture, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('startTelemetry, in a process of its own', () => {
  let server: http.Server;
  let endpoint: string;
  let exports: Export[];
  let status: number;

  beforeEach(async () => {
    exports = [];
    status = 200;
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        exports.push({ path: request.url, contentType: request.headers['content-type'], body: Buffer.concat(chunks) });
        response.writeHead(status, { 'content-type': request.headers['content-type'] ?? 'application/json' }).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('exports spans and metrics in OTLP/JSON to the endpoint, flushed by the shutdown, with service.name', async () => {
    const run = await runFixture({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });

    expect({ code: run.code, stdout: run.stdout.trim(), stderr: run.stderr }).toEqual({ code: 0, stdout: 'flushed', stderr: '' });
    const traces = exports.find((sent) => sent.path === '/v1/traces');
    expect(traces?.contentType).toBe('application/json');
    const body = JSON.parse(traces?.body.toString('utf8') ?? '{}') as {
      resourceSpans: Array<{
        resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
        scopeSpans: Array<{ spans: Array<{ name: string }> }>;
      }>;
    };
    const [resourceSpans] = body.resourceSpans;
    expect(resourceSpans?.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue).toBe(
      'fixture-service',
    );
    expect(resourceSpans?.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name))).toEqual(['fixture work']);
    expect(exports.find((sent) => sent.path === '/v1/metrics')?.body.toString('utf8')).toContain('fixture.count');
  });

  it('exports what is buffered on flush, without waiting for the batch delay or a shutdown', async () => {
    const run = await runFixture(
      { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '60000' },
      ['flush-then-exit'],
    );

    expect({ code: run.code, stdout: run.stdout.trim(), stderr: run.stderr }).toEqual({ code: 0, stdout: 'flushed', stderr: '' });
    expect(exports.find((sent) => sent.path === '/v1/traces')?.body.toString('utf8')).toContain('fixture work');
    expect(exports.find((sent) => sent.path === '/v1/metrics')?.body.toString('utf8')).toContain('fixture.count');
  });

  it('says in one line that a flush could not export, and goes on', async () => {
    status = 404;
    const run = await runFixture({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, ['flush-then-exit']);

    expect({ code: run.code, last: run.stdout.trim().split('\n').at(-1) }).toEqual({ code: 0, last: 'flushed' });
    expect(run.stderr).toContain('telemetry: an export failed at flush: ');
    for (const line of run.stderr.trim().split('\n')) expect(line).toMatch(/^telemetry: [^{]*$/);
  });

  it('exports in OTLP/protobuf, the default protocol', async () => {
    const run = await runFixture({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });

    expect(run.code).toBe(0);
    const traces = exports.find((sent) => sent.path === '/v1/traces');
    expect(traces?.contentType).toBe('application/x-protobuf');
    // The span's name is a length-prefixed string in the protobuf message.
    expect(traces?.body.includes(Buffer.from('fixture work'))).toBe(true);
  });

  it('shuts down cleanly when the receiver refuses the last export', async () => {
    status = 404;
    const run = await runFixture({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });

    // The SDK's own diagnostics say each refused export; the shutdown still completes and says so once.
    expect({ code: run.code, last: run.stdout.trim().split('\n').at(-1) }).toEqual({ code: 0, last: 'flushed' });
    expect(run.stderr).toContain('telemetry: the last export failed at shutdown: Not Found');
    // Each of them one line, not an error's stack.
    for (const line of run.stderr.trim().split('\n')) expect(line).toMatch(/^telemetry: [^{]*$/);
  });

  it('says in one line each that the collector is gone, and still stops', async () => {
    const gone = endpoint;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');

    const run = await runFixture({ OTEL_EXPORTER_OTLP_ENDPOINT: gone, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });

    expect({ code: run.code, last: run.stdout.trim().split('\n').at(-1) }).toEqual({ code: 0, last: 'flushed' });
    const lines = run.stderr.trim().split('\n');
    expect(lines).toContain('telemetry: the last export failed at shutdown: connect ECONNREFUSED ' + gone.replace('http://', ''));
    for (const line of lines) expect(line).toMatch(/^telemetry: [^{]*$/);
  });

  it('exports nothing, and says nothing, without an endpoint', async () => {
    const run = await runFixture({});

    expect({ code: run.code, stdout: run.stdout.trim(), stderr: run.stderr }).toEqual({ code: 0, stdout: 'flushed', stderr: '' });
    expect(exports).toEqual([]);
  });

  it('stops with one line naming a setting that is wrong', async () => {
    const run = await runFixture({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' });

    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^OpenTelemetry settings are invalid: OTEL_EXPORTER_OTLP_PROTOCOL: /),
    ]);
    expect(exports).toEqual([]);
  });
});
