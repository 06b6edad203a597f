/**
 * Reads back what the service composes, for assertions only: the top-level headers, and the text and HTML
 * parts decoded from quoted-printable. Not a MIME parser; it knows the one shape the service writes.
 */
export interface ReadMail {
  header(name: string): string | undefined;
  readonly text: string;
  readonly html: string;
}

export function readMail(raw: Buffer | string): ReadMail {
  const source = raw.toString().replace(/\r\n/g, '\n');
  const [head = '', ...rest] = source.split('\n\n');
  const headers = parseHeaders(head);
  const boundary = /boundary="([^"]+)"/.exec(headers.get('content-type') ?? '')?.[1];
  if (!boundary) throw new Error('not a multipart mail');
  const parts = rest
    .join('\n\n')
    .split(`--${boundary}`)
    .map((part) => part.replace(/^\n/, ''))
    .filter((part) => part.includes('\n\n'))
    .map((part) => {
      const cut = part.indexOf('\n\n');
      return { headers: parseHeaders(part.slice(0, cut)), body: part.slice(cut + 2) };
    });
  const body = (type: string) => {
    const part = parts.find((p) => p.headers.get('content-type')?.startsWith(type));
    if (!part) throw new Error(`no ${type} part`);
    return part.headers.get('content-transfer-encoding') === 'quoted-printable' ? decodeQuotedPrintable(part.body) : part.body;
  };
  return { header: (name) => headers.get(name.toLowerCase()), text: body('text/plain'), html: body('text/html') };
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined[i] === '=' ? /^[0-9A-F]{2}$/i.exec(joined.slice(i + 1, i + 3))?.[0] : undefined;
    if (hex) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i] ?? ''));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
