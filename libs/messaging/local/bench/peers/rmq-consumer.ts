/** One Nest microservice on the RabbitMQ transport: an event handler that validates the payload with zod, then acknowledges. */
import { Controller, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, RmqContext, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { consumerOptions, type ConsumerTally, Ping, serveConsumer } from '@stitch/bench-testing';

const { amqpUrl, queue, concurrency } = consumerOptions<{ amqpUrl: string; queue: string; concurrency: number }>();
const TALLY = Symbol('tally');

@Controller()
class PingController {
  constructor(@Inject(TALLY) private readonly tally: ConsumerTally) {}

  @EventPattern(Ping.type)
  handle(@Payload() payload: unknown, @Ctx() context: RmqContext): void {
    const ping = Ping.schema.parse(payload);
    this.tally.handled(ping.sentAt);
    (context.getChannelRef() as { ack(message: unknown): void }).ack(context.getMessage());
  }
}

void serveConsumer(async (tally) => {
  @Module({ controllers: [PingController], providers: [{ provide: TALLY, useValue: tally }] })
  class PingModule {}

  const app = await NestFactory.createMicroservice<MicroserviceOptions>(PingModule, {
    transport: Transport.RMQ,
    // Acknowledged by the handler, at most `concurrency` unacknowledged at a time, as Stitch's consumers work.
    options: { urls: [amqpUrl], queue, noAck: false, prefetchCount: concurrency },
    logger: ['error'],
  });
  await app.listen();
  return () => app.close();
});
