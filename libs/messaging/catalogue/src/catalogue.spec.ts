import { z } from 'zod';
import { Catalogue } from './catalogue';
import { defineCommand, defineEvent } from './define';

describe('Catalogue', () => {
  const schema = z.object({});
  it('refuses a type without a version', () => {
    expect(() => defineCommand({ type: 'a.do-it', name: 'DoIt', owner: 'a', senders: ['b'], schema })).toThrow(/<version>/);
  });

  it("names a type's area after its owner, hyphens and all, but never with capitals or spaces", () => {
    expect(
      defineCommand({ type: 'gift-card.issue-card.v1', name: 'IssueCard', owner: 'gift-card-service', senders: ['order-service'], schema })
        .type,
    ).toBe('gift-card.issue-card.v1');
    expect(() =>
      defineCommand({ type: 'Gift Card.issue-card.v1', name: 'IssueCard', owner: 'gift-card-service', senders: ['order-service'], schema }),
    ).toThrow(/<version>/);
  });

  it('refuses unknown owners, subscribers and duplicate types', () => {
    const doIt = defineCommand({ type: 'a.do-it.v1', name: 'DoIt', owner: 'a', senders: ['b'], schema });
    expect(() => new Catalogue({ services: ['b'], messages: [doIt], maxAttempts: { default: 1 } })).toThrow(
      'Catalogue: DoIt names unknown owner "a"',
    );
    const happened = defineEvent({ type: 'a.happened.v1', name: 'Happened', publisher: 'a', subscribers: ['z'], schema });
    expect(() => new Catalogue({ services: ['a'], messages: [happened], maxAttempts: { default: 1 } })).toThrow(/unknown subscriber "z"/);
    expect(() => new Catalogue({ services: ['a', 'b'], messages: [doIt, doIt], maxAttempts: { default: 1 } })).toThrow(/defined twice/);
  });

  it('refuses a command that names an unknown sender or none', () => {
    const fromNowhere = defineCommand({ type: 'a.do-it.v1', name: 'DoIt', owner: 'a', senders: ['b', 'z'], schema });
    expect(() => new Catalogue({ services: ['a', 'b'], messages: [fromNowhere], maxAttempts: { default: 1 } })).toThrow(
      'Catalogue: DoIt names unknown sender "z"',
    );
    const fromNobody = defineCommand({ type: 'a.do-it.v1', name: 'DoIt', owner: 'a', senders: [], schema });
    expect(() => new Catalogue({ services: ['a'], messages: [fromNobody], maxAttempts: { default: 1 } })).toThrow(
      'Catalogue: DoIt names no senders; a command needs at least one',
    );
  });

  it("keeps a frozen copy of a command's senders, so changing the list given cannot change who may send it", () => {
    const senders = ['b'];
    const doIt = defineCommand({ type: 'a.do-it.v1', name: 'DoIt', owner: 'a', senders, schema });
    senders.push('c');
    expect(doIt.senders).toEqual(['b']);
    expect(Object.isFrozen(doIt.senders)).toBe(true);
  });

  it('lists the commands each service sends and the events it publishes, and nothing for a service that does neither', () => {
    const doIt = defineCommand({ type: 'a.do-it.v1', name: 'DoIt', owner: 'a', senders: ['b', 'c'], schema });
    const undo = defineCommand({ type: 'a.undo.v1', name: 'Undo', owner: 'a', senders: ['c'], schema });
    const happened = defineEvent({ type: 'a.happened.v1', name: 'Happened', publisher: 'a', subscribers: ['b'], schema });
    const noted = defineEvent({ type: 'b.noted.v1', name: 'Noted', publisher: 'b', subscribers: [], schema });
    const catalogue = new Catalogue({
      services: ['a', 'b', 'c', 'd'],
      messages: [doIt, undo, happened, noted],
      maxAttempts: { default: 1 },
    });

    expect(catalogue.commandsSentBy('b')).toEqual([doIt]);
    expect(catalogue.commandsSentBy('c')).toEqual([doIt, undo]);
    expect(catalogue.commandsSentBy('a')).toEqual([]);
    expect(catalogue.eventsPublishedBy('a')).toEqual([happened]);
    expect(catalogue.eventsPublishedBy('b')).toEqual([noted]);
    expect(catalogue.eventsPublishedBy('c')).toEqual([]);
    expect(catalogue.commandsSentBy('d')).toEqual([]);
    expect(catalogue.commandsSentBy('nobody')).toEqual([]);
  });

  it('refuses a retry maximum below one', () => {
    expect(() => new Catalogue({ services: ['a'], messages: [], maxAttempts: { default: 0 } })).toThrow(/default/);
    expect(() => new Catalogue({ services: ['a'], messages: [], maxAttempts: { default: 1, queues: { a: 0 } } })).toThrow(/queues\.a/);
  });
});
