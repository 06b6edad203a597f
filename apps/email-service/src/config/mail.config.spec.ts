import path from 'node:path';
import { ConfigError } from '@stitch/messaging-core';
import { mailConfig } from './mail.config';

function load(env: Record<string, string>) {
  const saved = { ...process.env };
  for (const name of ['MAIL_FROM', 'MAIL_DIR', 'STITCH_DATA_DIR', 'SMTP_URL']) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return mailConfig();
  } finally {
    process.env = saved;
  }
}

describe('mail config', () => {
  it('defaults to writing files under the data folder, from the shop address', () => {
    expect(load({})).toEqual({ from: 'Stitch <shop@stitch.local>', dir: path.resolve('.data/mail'), smtp: undefined });
    expect(load({ STITCH_DATA_DIR: '/srv/stitch' }).dir).toBe('/srv/stitch/mail');
    expect(load({ MAIL_DIR: '/var/mail/stitch' }).dir).toBe('/var/mail/stitch');
  });

  it('takes an SMTP server and keeps its host apart for logs', () => {
    const config = load({ SMTP_URL: 'smtp://shop:s3cret@mail.example.com:587' });
    expect(config.smtp).toEqual({ url: 'smtp://shop:s3cret@mail.example.com:587', host: 'mail.example.com:587' });
    expect(load({ SMTP_URL: '' }).smtp).toBeUndefined();
  });

  it.each([
    ['http://shop:s3cret@mail.example.com', 'SMTP_URL'],
    ['not a url s3cret', 'SMTP_URL'],
  ])('refuses SMTP_URL=%s with one line naming it and never the password', (value, name) => {
    const attempt = () => load({ SMTP_URL: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^Invalid mail configuration: ${name}: must be an smtp:// or smtps:// URL`));
    expect(attempt).not.toThrow(/s3cret/);
  });

  it('refuses a From that is not one address', () => {
    expect(() => load({ MAIL_FROM: 'nobody' })).toThrow(/^Invalid mail configuration: MAIL_FROM: must be one address/);
  });
});
