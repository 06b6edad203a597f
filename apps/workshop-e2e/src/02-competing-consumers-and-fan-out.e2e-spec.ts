// Lab 02's checkpoint: three email replicas and two inventory replicas started as the lab starts them; four sign-ups
// and four orders as the lab types them; then every SendEmail handled once by one email replica, every UserSignedUp
// copied to its three subscribers with one email replica handling the email copy, and 8 mails, none twice.
import { SendEmail, UserSignedUp } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { eventually, listMails, readMail } from '@stitch/shop-testing';
import { expectAsShown } from './support/as-shown';
import { Lab } from './support/lab';
import { LabShop } from './support/lab-shop';

const lab = new Lab('02-competing-consumers-and-fan-out');
const SHOPPERS = 4;
const MAILS = SHOPPERS * 2;
const SETTLE_MS = 90_000;

describe('lab 02: competing consumers and fan-out', () => {
  let run: LabShop;

  beforeAll(async () => {
    run = await LabShop.start(lab);
  });

  afterAll(async () => {
    await run?.stop();
  });

  it('starts three email and two inventory replicas', () => {
    const replicas = (service: string) => run.shop.processes.filter((child) => child.service === service).map((child) => child.instance);
    expect(replicas(Services.email)).toEqual(['email-service-1', 'email-service-2', 'email-service-3']);
    expect(replicas(Services.inventory)).toEqual(['inventory-service-1', 'inventory-service-2']);
  });

  it('signs up four shoppers and places their orders as the lab types them', async () => {
    expectAsShown(lab, 'sign-ups', await run.run('sign-ups'));
    expectAsShown(lab, 'orders', await run.run('orders'));
  });

  it('writes 8 mails, none twice, and the per-replica counts add up to them', async () => {
    const count = await eventually(
      '8 mails',
      () => run.run('mail-count'),
      (output) => Number(output.trim()) >= MAILS,
      SETTLE_MS,
    );
    expectAsShown(lab, 'mail-count', count);
    const mails = await Promise.all((await listMails(run.shop.dataDir)).map(readMail));
    expect(new Set(mails.map((mail) => mail.messageIdHeader)).size).toBe(MAILS);

    const perReplica = await run.run('per-replica');
    expectAsShown(lab, 'per-replica', perReplica);
    const counts = [...perReplica.matchAll(/:(\d+)$/gm)].map((match) => Number(match[1]));
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(MAILS);
  });

  it('hands each SendEmail to one email replica, and each UserSignedUp to its three subscribers, once each', async () => {
    const emailReplicas = run.shop.processes.filter((child) => child.service === Services.email).map((child) => child.instance);
    const handled = await eventually(
      'every SendEmail and every UserSignedUp copy in the flow',
      () => run.flow.filter((record) => record.outcome === 'handled'),
      (records) =>
        records.filter((record) => record.type === SendEmail.type).length >= SHOPPERS &&
        records.filter((record) => record.type === UserSignedUp.type).length >= SHOPPERS * UserSignedUp.subscribers.length,
      SETTLE_MS,
    );
    const sendEmails = handled.filter((record) => record.type === SendEmail.type);
    expect(sendEmails).toHaveLength(SHOPPERS);
    expect(new Set(sendEmails.map((record) => record.messageId)).size).toBe(SHOPPERS);
    expect(sendEmails.filter((record) => !emailReplicas.includes(record.instance))).toEqual([]);

    const signUps = handled.filter((record) => record.type === UserSignedUp.type);
    const byMessage = new Map<string, string[]>();
    for (const record of signUps) byMessage.set(record.messageId, [...(byMessage.get(record.messageId) ?? []), record.to]);
    expect(byMessage.size).toBe(SHOPPERS);
    for (const services of byMessage.values()) expect(services.sort()).toEqual([...UserSignedUp.subscribers].sort());
    const emailCopies = signUps.filter((record) => record.to === Services.email);
    expect(emailCopies.filter((record) => !emailReplicas.includes(record.instance))).toEqual([]);
  });

  it('finds the first sign-up in one email replica’s log, order-service’s and notification-service’s', async () => {
    expectAsShown(lab, 'fan-out', await run.run('fan-out'));
  });
});
