import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import { MessagingRuntime, type Closable } from '@stitch/messaging-core';
import { Observable, Subject } from 'rxjs';
import { FlowHistory } from './flow-history';
import { flowStreamRecordSchema, type FlowRecordView } from './flow-record.schema';

/**
 * One subscription to the transport's flow channel per replica, shared by every browser watching: the
 * transport sees one subscriber however many tabs are open. The recent records and the counts per replica are
 * kept (FlowHistory), so a page that loads later starts from them; older ones are gone, as flow records are best
 * effort by design.
 */
@Injectable()
export class FlowFeed implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FlowFeed.name);
  private readonly records = new Subject<FlowRecordView>();
  private subscription: Promise<Closable> | undefined;
  private warnedMalformed = false;

  constructor(
    @Inject(MessagingRuntime) private readonly runtime: MessagingRuntime,
    @Inject(FlowHistory) private readonly history: FlowHistory,
  ) {}

  /** Nest runs bootstrap hooks once for HTTP and once for the message consumer; one subscription serves both. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.subscription) return;
    const { transport } = this.runtime;
    if (!transport.capabilities.flowPerReplica) {
      this.logger.warn(`the ${transport.name} transport has one flow reader: replicas of the storefront share the records between them`);
    }
    this.subscription = transport.flow.subscribe((record) => this.accept(record));
    await this.subscription;
  }

  /** Ends every open stream before the HTTP server closes, so a watching browser does not hold shutdown up. */
  async onModuleDestroy(): Promise<void> {
    await (await this.subscription)?.close();
    this.records.complete();
  }

  get stream(): Observable<FlowRecordView> {
    return this.records.asObservable();
  }

  private accept(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const parsed = flowStreamRecordSchema.safeParse(json);
    if (parsed.success) {
      // The page shows the short name (PlaceOrder) and keeps the versioned type for its title.
      const name = 'type' in parsed.data ? shopCatalogue.find(parsed.data.type)?.name : undefined;
      const record: FlowRecordView = name ? { ...parsed.data, name } : parsed.data;
      this.history.add(record);
      this.records.next(record);
    } else if (!this.warnedMalformed) {
      this.warnedMalformed = true;
      this.logger.warn('ignoring flow records that are not flow records');
    }
  }
}
