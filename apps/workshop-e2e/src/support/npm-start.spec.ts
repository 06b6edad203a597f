import { exportedSettings, parseNpmStart } from './npm-start';

describe("a lab's terminal settings and npm start, read as the shell reads them", () => {
  it('takes every NAME=value of export lines, continued or quoted', () => {
    expect(
      exportedSettings(
        [
          '# the emulator accepts any credentials',
          'export MESSAGING_TRANSPORT=aws AWS_ENDPOINT_URL=http://127.0.0.1:5000 \\',
          '  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=\'test\' STITCH_SHOP_ID="workshop"',
        ].join('\n'),
      ),
    ).toEqual({
      MESSAGING_TRANSPORT: 'aws',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      STITCH_SHOP_ID: 'workshop',
    });
  });

  it('refuses what is not a plain export, rather than guess what the shell would make of it', () => {
    expect(() => exportedSettings('npm run doctor')).toThrow('may hold only `export NAME=value …` lines, not "npm"');
    expect(() => exportedSettings('export SECRET="$(openssl rand -hex 24)"')).toThrow('is not a plain NAME=value setting');
  });

  it('reads npm start with the settings before it and the launcher arguments after --', () => {
    const { env, args } = parseNpmStart('MESSAGING_TRANSPORT=aws npm start -- --fresh --scale email-service=2');
    expect(env).toEqual({ MESSAGING_TRANSPORT: 'aws' });
    expect(args).toMatchObject({ fresh: true, scale: { 'email-service': 2 }, dataDir: '.data', port: 3000 });
    expect(parseNpmStart('ORDER_TIMEOUT_MS=10000 A_B=1 npm start -- \\\n  --fresh').env).toEqual({ ORDER_TIMEOUT_MS: '10000', A_B: '1' });
    expect(parseNpmStart('npm start').args).toMatchObject({ fresh: false, scale: {} });
  });

  it('refuses a block that is not npm start, or arguments the launcher does not take', () => {
    expect(() => parseNpmStart('npm test')).toThrow('is not an `npm start` command');
    expect(() => parseNpmStart('npm start --fresh')).toThrow('npm start takes its arguments after "--"');
    expect(() => parseNpmStart('npm start -- --scale nobody=2')).toThrow('unknown service "nobody"');
  });
});
