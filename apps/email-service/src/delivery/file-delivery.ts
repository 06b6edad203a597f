import { randomUUID } from 'node:crypto';
import { link, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ComposedMail } from '../mail/compose';
import type { MailDelivery } from './mail-delivery';

/**
 * Writes each mail as `<dir>/<messageId>.eml`, the raw RFC 822 message, for a laptop or a workshop without an
 * SMTP server. The file is keyed by the causing message's id, so a redelivered message never makes a second
 * mail: an existing file is left as it is.
 *
 * Written to a temporary file first and then published under its name in one step, so a reader never sees half
 * a mail and a crash leaves no partial one. The publishing step is a hard link rather than a rename: both are
 * atomic, but a rename would silently replace a mail already there, while a link refuses (EEXIST).
 */
export class FileDelivery implements MailDelivery {
  readonly kind = 'file';

  constructor(private readonly dir: string) {}

  get describe(): string {
    return `files in ${this.dir}`;
  }

  async deliver(mail: ComposedMail): Promise<void> {
    await this.write(mail);
  }

  /** Whether this call wrote the file (false: it was already there). */
  async write(mail: ComposedMail): Promise<boolean> {
    await mkdir(this.dir, { recursive: true });
    const target = this.fileOf(mail.messageId);
    const temporary = path.join(this.dir, `.${mail.messageId}.${randomUUID()}.tmp`);
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(mail.raw);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await link(temporary, target);
      await syncFolder(this.dir);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  fileOf(messageId: string): string {
    return path.join(this.dir, `${messageId}.eml`);
  }

  async close(): Promise<void> {}
}

/**
 * The mail's name is an entry in its folder, written to disk with the folder, not with the file: without this a power
 * cut after the handler commits could lose a mail its SentMail row says was sent (the database may be another disk or
 * server, whose sync does nothing for this one). Windows cannot open a folder to sync it; NTFS journals the entry.
 */
async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
