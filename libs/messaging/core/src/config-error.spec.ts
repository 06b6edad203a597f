import { ConfigError, listBriefly, networkFailure, StartupError, withStartupDeadline } from './config-error';

describe('StartupError and ConfigError', () => {
  it('are one family the bootstrap prints as one line, keeping the cause', () => {
    const cause = new Error('inner');
    const error = new StartupError('outer', { cause });
    expect(error.name).toBe('StartupError');
    expect(error.cause).toBe(cause);
    expect(new ConfigError('bad')).toBeInstanceOf(StartupError);
    expect(new ConfigError('bad').name).toBe('ConfigError');
  });
});

describe('networkFailure', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'connection refused'],
    // The Service Bus SDK: its own name and code, Node's code only in the text.
    [
      Object.assign(new Error('ENOTFOUND: getaddrinfo ENOTFOUND x.invalid'), { name: 'MessagingError', code: 'GeneralError' }),
      'host name does not resolve',
    ],
    // fetch: a TypeError whose cause holds the code.
    [
      new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }),
      'connection refused',
    ],
    [
      Object.assign(new Error('Hostname/IP does not match certificate'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }),
      'TLS failed: ERR_TLS_CERT_ALTNAME_INVALID',
    ],
  ])('names %p as %p', (error, phrase) => {
    expect(networkFailure(error)).toBe(phrase);
  });

  it('leaves an answer from a server alone', () => {
    expect(networkFailure(Object.assign(new Error('password authentication failed'), { code: '28P01' }))).toBeUndefined();
    expect(networkFailure(Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist' }))).toBeUndefined();
  });
});

describe('listBriefly', () => {
  it('keeps a line short however much is listed', () => {
    expect(listBriefly(['a'])).toBe('a');
    expect(listBriefly(['a', 'b'])).toBe('a and b');
    expect(listBriefly(['a', 'b', 'c', 'd'])).toBe('a, b, c and d');
    expect(listBriefly(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('a, b, c and 3 more');
  });
});

describe('withStartupDeadline', () => {
  it('passes a check that answers in time through, and gives up on one that does not', async () => {
    await expect(withStartupDeadline(Promise.resolve('ok'), 1_000, () => new StartupError('late'))).resolves.toBe('ok');
    const abandon = jest.fn();
    await expect(withStartupDeadline(new Promise(() => undefined), 20, () => new StartupError('no answer'), abandon)).rejects.toThrow(
      'no answer',
    );
    expect(abandon).toHaveBeenCalledTimes(1);
  });
});
