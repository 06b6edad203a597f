import { z } from 'zod';

export type MessageKind = 'command' | 'event';

/** `<area>.<kebab-name>.v<version>`: the version is part of the type so two versions can travel side by side. */
const TYPE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+\.v[1-9][0-9]*$/;

interface DefinitionBase<TType extends string, TSchema extends z.ZodType> {
  readonly type: TType;
  /** The name people use for it: `PlaceOrder`, `OrderPlaced`. */
  readonly name: string;
  readonly schema: TSchema;
}

/**
 * "Do this": one owner, whose queue takes it; replicas of the owner compete for each one. Only its senders may
 * send it: cloud permissions to the owner's queue are granted from them, and the bus refuses anyone else.
 */
export interface CommandDefinition<TType extends string = string, TSchema extends z.ZodType = z.ZodType> extends DefinitionBase<
  TType,
  TSchema
> {
  readonly kind: 'command';
  readonly owner: string;
  readonly senders: readonly string[];
}

/** "This happened": one publisher; every subscribing service gets its own copy. */
export interface EventDefinition<TType extends string = string, TSchema extends z.ZodType = z.ZodType> extends DefinitionBase<
  TType,
  TSchema
> {
  readonly kind: 'event';
  readonly publisher: string;
  readonly subscribers: readonly string[];
}

export type MessageDefinition = CommandDefinition | EventDefinition;

/** The payload a handler receives, after validation. */
export type MessageData<D extends MessageDefinition> = z.output<D['schema']>;
/** The payload a sender gives, before defaults are applied. */
export type MessageInput<D extends MessageDefinition> = z.input<D['schema']>;

function checkType(type: string, name: string): void {
  if (!TYPE_PATTERN.test(type)) {
    throw new Error(`Message ${name}: type "${type}" must look like "<area>.<kebab-name>.v<version>"`);
  }
}

export function defineCommand<const TType extends string, TSchema extends z.ZodType>(definition: {
  type: TType;
  name: string;
  owner: string;
  senders: readonly string[];
  schema: TSchema;
}): CommandDefinition<TType, TSchema> {
  checkType(definition.type, definition.name);
  return Object.freeze({ kind: 'command', ...definition, senders: Object.freeze([...definition.senders]) });
}

export function defineEvent<const TType extends string, TSchema extends z.ZodType>(definition: {
  type: TType;
  name: string;
  publisher: string;
  subscribers: readonly string[];
  schema: TSchema;
}): EventDefinition<TType, TSchema> {
  checkType(definition.type, definition.name);
  return Object.freeze({ kind: 'event', ...definition, subscribers: Object.freeze([...definition.subscribers]) });
}
