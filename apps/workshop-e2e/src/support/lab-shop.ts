import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launchShop, repoRoot, type RunningShop } from '@stitch/launcher';
import { FlowStream, type JsonEventStream } from '@stitch/shop-testing';
import type { FlowRecord } from '@stitch/messaging-core';
import type { Lab } from './lab';
import { parseNpmStart } from './npm-start';
import { runBlock } from './run-block';

/** The storefront's address and the data folder as a lab writes them: what `npm start` gives on a free machine. */
export const LAB_STOREFRONT = 'http://127.0.0.1:3000';
export const LAB_DATA_DIR = '.data';

/**
 * One lab's shop, launched from the lab's start command as `npm start` launches it (replicas restarted when they
 * exit) but on free ports and in a temporary data folder, and its commands run with the lab's storefront address and
 * data folder replaced by the run's own.
 */
export class LabShop {
  private constructor(
    readonly lab: Lab,
    readonly tmp: string,
    readonly dataDir: string,
    private running: RunningShop,
    private flowStream: JsonEventStream<FlowRecord>,
  ) {}

  /** Launches the shop the lab's `<!-- run: start -->` block (or another) starts, with a fresh data folder. */
  static async start(lab: Lab, startBlock = 'start'): Promise<LabShop> {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'stitch-workshop-'));
    // The embedded PostgreSQL runs as the OS user `postgres` when the tests run as root.
    await chmod(tmp, 0o755);
    const dataDir = path.join(tmp, 'data');
    try {
      const shop = await launch(lab.command(startBlock), dataDir);
      const flow = await openFlow(shop);
      return new LabShop(lab, tmp, dataDir, shop, flow);
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      throw error;
    }
  }

  get shop(): RunningShop {
    return this.running;
  }

  /** Every flow record since the shop (or its last restart) was launched, as the page's live view saw them. */
  get flow(): readonly FlowRecord[] {
    return this.flowStream.records;
  }

  get storefrontUrl(): string {
    return this.running.storefrontUrl ?? '';
  }

  /** Runs the lab's `<!-- run: name -->` block as written, from the repository root, and gives its output. */
  async run(name: string, timeoutMs?: number): Promise<string> {
    const { stdout } = await runBlock(this.lab.command(name), {
      cwd: repoRoot,
      replace: [
        [LAB_STOREFRONT, this.storefrontUrl],
        [LAB_DATA_DIR, this.dataDir],
      ],
      // The tools (npm run dlq) find the shop by its data folder, `.data` unless told: this run's.
      env: { STITCH_DATA_DIR: this.dataDir, MESSAGING_TRANSPORT: 'local' },
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    return this.asWritten(stdout);
  }

  /** Output with the run's own address and data folder put back as the lab writes them, to compare with the lab. */
  asWritten(output: string): string {
    return output.split(this.dataDir).join(LAB_DATA_DIR).split(this.storefrontUrl).join(LAB_STOREFRONT);
  }

  /** Stops the shop and starts it again on the same data folder, as the lab's `<!-- run: name -->` start command does. */
  async restart(startBlock: string): Promise<void> {
    await this.flowStream.close();
    await this.running.stop();
    this.running = await launch(this.lab.command(startBlock), this.dataDir);
    this.flowStream = await openFlow(this.running);
  }

  async stop(): Promise<void> {
    await this.flowStream.close().catch(() => undefined);
    await this.running.stop();
    await rm(this.tmp, { recursive: true, force: true });
  }
}

async function launch(startCommand: string, dataDir: string): Promise<RunningShop> {
  const { env, args } = parseNpmStart(startCommand);
  return launchShop({ dataDir, scale: args.scale, fresh: args.fresh, env, ports: 'free', restart: true, readyTimeoutMs: 180_000 });
}

function openFlow(shop: RunningShop): Promise<JsonEventStream<FlowRecord>> {
  return FlowStream.open(`${shop.storefrontUrl}/api/flow`);
}
