import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface MailFile {
  readonly file: string;
  readonly messageIdHeader: string;
  readonly headers: ReadonlyMap<string, string>;
}

/** The `.eml` files the email service wrote under `<dataDir>/mail/`. */
export async function listMails(dataDir: string): Promise<string[]> {
  const folder = path.join(dataDir, 'mail');
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return names.filter((name) => name.endsWith('.eml')).map((name) => path.join(folder, name));
}

/** Reads an RFC 5322 message's header block; throws, naming the file, when it is not a message with a Message-ID. */
export async function readMail(file: string): Promise<MailFile> {
  const text = (await readFile(file, 'utf8')).replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  if (end < 0) throw new Error(`${file}: no blank line between the headers and the body`);
  const headers = new Map<string, string>();
  // Folded header lines continue with whitespace.
  for (const line of text
    .slice(0, end)
    .replace(/\n[ \t]+/g, ' ')
    .split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`${file}: "${line}" is not a header line`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const messageIdHeader = headers.get('message-id');
  if (!messageIdHeader || !/^<[^<>\s@]+@[^<>\s@]+>$/.test(messageIdHeader)) {
    throw new Error(`${file}: no valid Message-ID header (found ${JSON.stringify(messageIdHeader)})`);
  }
  return { file, messageIdHeader, headers };
}
