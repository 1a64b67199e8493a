import { Body, Controller, Headers, HttpCode, Post, UseFilters } from '@nestjs/common';
import { internalTokenCheck } from '@bff/auth';
import { BffExceptionFilter } from '@bff/errors';
import { RealtimeConfig } from '@bff/config';
import { PUBLISHABLE_CHANNEL, parseFrame } from './frames';
import { NotificationPublisher } from './notification-publisher';
import { InvalidPublishError } from './realtime.errors';

/**
 * `POST /internal/publish` for services that do not speak Redis (and for the
 * demo without Redis). Off unless BFF_INTERNAL_TOKEN is set; it should not be
 * exposed publicly (put it behind the proxy's internal network or a management port).
 * Frames of the gateway's own types (`ready`, `pong`, `error`) are refused by
 * {@link NotificationPublisher} with 400 `invalid_publish`.
 */
// The BFF's own answers keep their JSON shape inside a host with other filters.
@UseFilters(BffExceptionFilter)
@Controller('internal')
export class InternalPublishController {
  private readonly assertInternalToken: (authorization: unknown) => void;

  constructor(
    config: RealtimeConfig,
    private readonly publisher: NotificationPublisher,
  ) {
    this.assertInternalToken = internalTokenCheck(config.internalToken);
  }

  @Post('publish')
  @HttpCode(202)
  async publish(@Headers('authorization') authorization: unknown, @Body() body: unknown): Promise<{ published: true }> {
    this.assertInternalToken(authorization);
    const { channel, message } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof channel !== 'string' || !PUBLISHABLE_CHANNEL.test(channel)) {
      throw new InvalidPublishError('channel must be bff:ws:broadcast, bff:ws:user:<sub> or bff:ws:session:<id>');
    }
    const frame = parseFrame(JSON.stringify(message ?? null));
    if (!frame) throw new InvalidPublishError('message must be an object { "type": "...", "data": ... }');
    await this.publisher.publish(channel, frame);
    return { published: true };
  }
}
