import { emailTemplates, type SendEmail } from '@stitch/contracts';
import type { MessageData } from '@stitch/messaging-catalogue';
import { describeIssues, MessageRejectedError } from '@stitch/messaging-core';
import { z } from 'zod';

export type EmailTemplate = (typeof emailTemplates)[number];
export type TemplateParams = MessageData<typeof SendEmail>['params'];

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const orderId = z.string().min(1);
const name = z.string().min(1).optional();

/** What each template needs; SendEmail carries params as a loose record, so each template checks its own. */
const paramSchemas = {
  welcome: z.object({ name: z.string().min(1) }),
  'order-confirmed': z.object({ orderId, totalCents: z.coerce.number().int().nonnegative(), name }),
  'order-cancelled': z.object({ orderId, reason: z.string().min(1), name }),
} satisfies Record<EmailTemplate, z.ZodType>;

const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' });

function greeting(name: string | undefined): string {
  return name ? `Hello ${name},` : 'Hello,';
}

/** One paragraph per entry: the text body joins them with blank lines, the HTML body wraps each in <p>. */
function mail(subject: string, paragraphs: readonly string[]): RenderedMail {
  return {
    subject,
    text: `${paragraphs.join('\n\n')}\n`,
    html: `<!doctype html>\n<html><body>\n${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}\n</body></html>\n`,
  };
}

const signature = '— Stitch';

/**
 * Renders a template. Params that do not fit it can never render, however often the message is retried, so
 * they reject the message (straight to the dead-letter queue), naming what is wrong.
 */
export function renderTemplate(template: EmailTemplate, params: TemplateParams): RenderedMail {
  switch (template) {
    case 'welcome': {
      const p = parse(template, params);
      return mail('Welcome to Stitch', [
        greeting(p.name),
        'Thank you for signing up. Your account is ready: have a look at what is new in the shop.',
        signature,
      ]);
    }
    case 'order-confirmed': {
      const p = parse(template, params);
      return mail(`Your order ${p.orderId} is confirmed`, [
        greeting(p.name),
        `Your order ${p.orderId} is confirmed. We charged ${money.format(p.totalCents / 100)} and are packing it now.`,
        signature,
      ]);
    }
    case 'order-cancelled': {
      const p = parse(template, params);
      return mail(`Your order ${p.orderId} was cancelled`, [
        greeting(p.name),
        `We are sorry: your order ${p.orderId} was cancelled (${p.reason}). Nothing was charged for it.`,
        signature,
      ]);
    }
  }
}

function parse<T extends EmailTemplate>(template: T, params: TemplateParams): z.output<(typeof paramSchemas)[T]> {
  const result = paramSchemas[template].safeParse(params);
  if (!result.success) throw new MessageRejectedError(`template ${template} cannot render: ${describeIssues(result.error.issues)}`);
  return result.data as z.output<(typeof paramSchemas)[T]>;
}

/** Params are text from elsewhere: in HTML they are text, never markup. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
