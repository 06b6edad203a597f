import { z } from 'zod';
import { Catalogue } from './catalogue';
import { defineCommand, defineEvent } from './define';

describe('Catalogue', () => {
  const schema = z.object({});
  it('refuses a type without a version', () => {
    expect(() => defineCommand({ type: 'a.do-it', name: 'DoIt', owner: 'a', schema })).toThrow(/<version>/);
  });

  it("names a type's area after its owner, hyphens and all, but never with capitals or spaces", () => {
    expect(defineCommand({ type: 'gift-card.issue-card.v1', name: 'IssueCard', owner: 'gift-card-service', schema }).type).toBe(
      'gift-card.issue-card.v1',
    );
    expect(() => defineCommand({ type: 'Gift Card.issue-card.v1', name: 'IssueCard', owner: 'gift-card-service', schema })).toThrow(
      /<version>/,
    );
  });

  it('refuses unknown owners, subscribers and duplicate types', () => {
    const doIt = defineCommand({ type: 'a.do-it.v1', name: 'DoIt', owner: 'a', schema });
    expect(() => new Catalogue({ services: ['b'], messages: [doIt], maxAttempts: { default: 1 } })).toThrow(/unknown owner "a"/);
    const happened = defineEvent({ type: 'a.happened.v1', name: 'Happened', publisher: 'a', subscribers: ['z'], schema });
    expect(() => new Catalogue({ services: ['a'], messages: [happened], maxAttempts: { default: 1 } })).toThrow(/unknown subscriber "z"/);
    expect(() => new Catalogue({ services: ['a'], messages: [doIt, doIt], maxAttempts: { default: 1 } })).toThrow(/defined twice/);
  });

  it('refuses a retry maximum below one', () => {
    expect(() => new Catalogue({ services: ['a'], messages: [], maxAttempts: { default: 0 } })).toThrow(/default/);
    expect(() => new Catalogue({ services: ['a'], messages: [], maxAttempts: { default: 1, queues: { a: 0 } } })).toThrow(/queues\.a/);
  });
});
