import { NestFactory } from '@nestjs/core';
import type { LoggerService, LogLevel } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { setupBff, type BffOptions } from '@bff/bff-module';
import { ExampleHostModule } from './example-host.module';

/** The example host, built as its `main.ts` builds it (not yet listening). */
export async function createExampleHost(
  options: BffOptions,
  logger: false | LogLevel[] | LoggerService = ['error', 'warn'],
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ExampleHostModule.forRoot(options),
    new FastifyAdapter(),
    {
      logger,
      abortOnError: false,
    },
  );
  await setupBff(app);
  return app;
}
