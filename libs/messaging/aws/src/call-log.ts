import { appendFileSync, mkdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * The call log: a diagnostic for permission tests, never set in production. Each process of a service appends one
 * JSON line per SDK call to `<folder>/<service>-<pid>.jsonl`: which API it called and the names of the resources it
 * called it on, so a test can check that the IAM policy written for the service allows every call it made (an
 * emulator does not enforce IAM). Message bodies, attributes and receipts are never written.
 */
export interface RecordedCall {
  /** The Stitch service whose process made the call. */
  readonly service: string;
  /** `<IAM service prefix>:<API>`: `sqs:SendMessageBatch`, `events:PutEvents`. */
  readonly api: string;
  readonly input: ResourceNames;
}

/** The fields of an SQS or EventBridge request that name what it acts on; nothing else of the request is kept. */
export interface ResourceNames {
  readonly QueueUrl?: string;
  readonly QueueName?: string;
  readonly QueueNamePrefix?: string;
  readonly EventBusName?: string;
  readonly Name?: string;
  readonly Rule?: string;
  /** PutEvents: the bus of each entry (an entry without one goes to the default bus). */
  readonly Entries?: readonly { readonly EventBusName?: string }[];
}

export interface CallLogTarget {
  /** The folder the log files go to; created when missing. */
  readonly directory: string;
  readonly service: string;
}

const NAMING_FIELDS = ['QueueUrl', 'QueueName', 'QueueNamePrefix', 'EventBusName', 'Name', 'Rule'] as const;
const MIDDLEWARE_NAME = 'stitchCallLog';

/** This process's file in the folder: one writer per file, so lines never interleave. */
export function callLogFile(target: CallLogTarget): string {
  return path.join(target.directory, `${target.service}-${process.pid}.jsonl`);
}

/**
 * Adds the recording middleware to both clients (the SDK's documented `middlewareStack.add`, at the `initialize`
 * step: once per call, before retries, so a call that fails, is refused or is retried is recorded once too).
 */
export function recordCalls(clients: { readonly sqs: SQSClient; readonly eventBridge: EventBridgeClient }, target: CallLogTarget): void {
  mkdirSync(target.directory, { recursive: true });
  const file = callLogFile(target);
  // Synchronous appends of whole lines: nothing is lost when the process exits, and no two lines mix.
  const append = (call: RecordedCall) => appendFileSync(file, `${JSON.stringify(call)}\n`);
  const record = (prefix: 'sqs' | 'events', commandName: string | undefined, input: object) =>
    append({
      service: target.service,
      api: `${prefix}:${(commandName ?? 'unknown').replace(/Command$/, '')}`,
      input: resourceNames(prefix, input),
    });
  clients.sqs.middlewareStack.add(
    (next, context) => async (args) => {
      record('sqs', context.commandName, args.input);
      return next(args);
    },
    { step: 'initialize', name: MIDDLEWARE_NAME },
  );
  clients.eventBridge.middlewareStack.add(
    (next, context) => async (args) => {
      record('events', context.commandName, args.input);
      return next(args);
    },
    { step: 'initialize', name: MIDDLEWARE_NAME },
  );
}

/** The naming fields of a request, and for PutEvents each entry's bus. */
export function resourceNames(prefix: 'sqs' | 'events', input: object): ResourceNames {
  const fields = input as Record<string, unknown>;
  const names: Record<string, unknown> = {};
  for (const field of NAMING_FIELDS) if (typeof fields[field] === 'string') names[field] = fields[field];
  // SQS batch entries carry bodies; only EventBridge entries name a resource (their bus).
  if (prefix === 'events' && Array.isArray(fields['Entries'])) {
    names['Entries'] = fields['Entries'].map((entry: { EventBusName?: unknown }) =>
      typeof entry?.EventBusName === 'string' ? { EventBusName: entry.EventBusName } : {},
    );
  }
  return names as ResourceNames;
}

/** Every call recorded in the folder, from all its files; a line that is not a call is an error naming its file. */
export async function readCallLog(directory: string): Promise<RecordedCall[]> {
  const files = (await readdir(directory)).filter((name) => name.endsWith('.jsonl')).sort();
  const calls: RecordedCall[] = [];
  for (const name of files) {
    const lines = (await readFile(path.join(directory, name), 'utf8')).split('\n').filter((line) => line.trim() !== '');
    lines.forEach((line, index) => {
      const call = JSON.parse(line) as Partial<RecordedCall>;
      if (typeof call.service !== 'string' || typeof call.api !== 'string' || typeof call.input !== 'object' || call.input === null)
        throw new Error(`call log ${name}, line ${index + 1}: not a recorded call: ${line}`);
      calls.push(call as RecordedCall);
    });
  }
  return calls;
}
