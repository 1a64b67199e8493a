import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { StepUpRequiredError } from '@bff/auth';
import { ServerConfig } from '@bff/config';
import type { OpenedSession, RequestSessions } from '@bff/session';
import { BffApi } from './bff-api.decorator';
import { BffApiGuard } from './bff-api.guard';

const PUBLIC_URL = 'https://app.example';

@BffApi({ acr: ['urn:ctrl'] })
class Dashboard {
  @BffApi({ acr: ['urn:mfa'] })
  pay(): string {
    return 'paid';
  }

  list(): string {
    return 'listed';
  }
}

@BffApi()
class Plain {
  read(): string {
    return 'read';
  }
}

function contextFor(handler: () => string, referer?: string, controller: object = Dashboard): ExecutionContext {
  const request = { headers: { 'x-csrf': '1', ...(referer === undefined ? {} : { referer }) } };
  return {
    switchToHttp: () => ({ getRequest: () => request }),
    getHandler: () => handler,
    getClass: () => controller,
  } as unknown as ExecutionContext;
}

function guardWith(acr: string | undefined): BffApiGuard {
  const session = {
    record: { sub: 'alice', claims: {}, ...(acr === undefined ? {} : { acr }) },
    expiresAt: Date.now() + 60_000,
  } as unknown as OpenedSession;
  const sessions = { require: () => Promise.resolve(session) } as unknown as RequestSessions;
  return new BffApiGuard(Object.assign(new ServerConfig(), { publicUrl: PUBLIC_URL }), sessions, new Reflector());
}

describe('BffApiGuard with @BffApi({ acr })', () => {
  // The handler functions as Nest passes them to the guard (getHandler()).
  const handlerOf = (controller: object, name: string) =>
    (Object.getOwnPropertyDescriptor((controller as { prototype: object }).prototype, name)?.value ??
      (() => '')) as () => string;
  const pay = handlerOf(Dashboard, 'pay');
  const list = handlerOf(Dashboard, 'list');

  it("refuses a session without one of the handler's acr values with step_up_required and a loginUrl", async () => {
    const refusal = guardWith('urn:pwd').canActivate(contextFor(pay, `${PUBLIC_URL}/pay?x=1`));
    await expect(refusal).rejects.toBeInstanceOf(StepUpRequiredError);
    await expect(refusal).rejects.toMatchObject({
      status: 401,
      fields: { loginUrl: '/auth/login?acr_values=urn%3Amfa&returnTo=%2Fpay%3Fx%3D1' },
    });
  });

  it("lets a session with the acr through; the handler's list overrides its controller's", async () => {
    await expect(guardWith('urn:mfa').canActivate(contextFor(pay))).resolves.toBe(true);
    await expect(guardWith('urn:mfa').canActivate(contextFor(list))).rejects.toBeInstanceOf(StepUpRequiredError);
    await expect(guardWith('urn:ctrl').canActivate(contextFor(list))).resolves.toBe(true);
  });

  it('asks nothing of acr without a list', async () => {
    const context = contextFor(handlerOf(Plain, 'read'), undefined, Plain);
    await expect(guardWith(undefined).canActivate(context)).resolves.toBe(true);
  });
});
