import type { UnauthenticatedEvent } from './bff-client.js';
import { BffHttpError } from './errors.js';
import { jsonResponse, settle } from './testing/fake-browser.js';
import { NO_SESSION, openPage } from './testing/fake-page.js';

const STEP_UP = {
  error: 'step_up_required',
  message: 'This route needs a stronger login.',
  loginUrl: '/auth/login?acr_values=urn%3Aexample%3Amfa&returnTo=%2Fpay',
};

describe('an /api call answered 401 step_up_required', () => {
  it('rejects with a BffHttpError whose errorCode is step_up_required when no hook is set', async () => {
    const { bff } = openPage(() => jsonResponse(401, STEP_UP));
    const error = await bff.fetch('payments', 'transfer', { method: 'POST' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffHttpError);
    expect(error).toMatchObject({ status: 401, errorCode: 'step_up_required' });
  });

  it('tells the hook it is a step-up, with the checked login, which login() navigates to', async () => {
    const events: UnauthenticatedEvent[] = [];
    const { bff, location } = openPage(() => jsonResponse(401, STEP_UP), {
      baseUrl: '/bff',
      onUnauthenticated: (event) => {
        events.push(event);
        event.login();
      },
    });
    await expect(bff.fetch('payments', 'transfer')).rejects.toBeInstanceOf(BffHttpError);
    expect(events[0]).toMatchObject({
      reason: 'step_up_required',
      stepUp: {
        acrValues: 'urn:example:mfa',
        loginUrl: '/bff/auth/login?returnTo=%2Fpay&acr_values=urn%3Aexample%3Amfa',
      },
    });
    expect(location.assigned).toEqual(['/bff/auth/login?returnTo=%2Fpay&acr_values=urn%3Aexample%3Amfa']);
  });

  it('never navigates off-site: a loginUrl elsewhere becomes a login here, back to this page', async () => {
    const { bff, location } = openPage(
      () => jsonResponse(401, { ...STEP_UP, loginUrl: 'https://evil.example/auth/login?acr_values=mfa' }),
      { onUnauthenticated: ({ login }) => login() },
    );
    await expect(bff.fetch('payments', 'transfer')).rejects.toBeInstanceOf(BffHttpError);
    expect(location.assigned).toEqual(['/auth/login?returnTo=%2Forders%2F7%3Ftab%3D2&acr_values=mfa']);
  });

  it('retries after a step-up in a pop-up, and does not count the session as ended', async () => {
    let stepped = false;
    const { bff, events } = openPage(() => (stepped ? jsonResponse(200, { ok: true }) : jsonResponse(401, STEP_UP)), {
      onUnauthenticated: ({ retry }) => {
        stepped = true;
        retry();
      },
    });
    const response = await bff.fetch('payments', 'transfer');
    expect(response.status).toBe(200);
    expect(events).toEqual([]);
  });

  it('asks the hook separately for a step-up and an ended session failing together', async () => {
    const reasons: string[] = [];
    const { bff } = openPage((request) => jsonResponse(401, request.url.endsWith('/pay') ? STEP_UP : NO_SESSION), {
      onUnauthenticated: async ({ reason }) => {
        reasons.push(reason);
        await settle();
      },
    });
    const calls = [bff.fetch('a', 'pay'), bff.fetch('a', 'pay'), bff.fetch('a', 'me'), bff.fetch('a', 'me')];
    await Promise.allSettled(calls);
    expect(reasons.sort()).toEqual(['session_ended', 'step_up_required']);
  });

  it('reports any other 401 as session_ended, with login() to a plain login', async () => {
    const events: UnauthenticatedEvent[] = [];
    const { bff, location } = openPage(() => jsonResponse(401, NO_SESSION), {
      onUnauthenticated: (event) => {
        events.push(event);
        event.login();
      },
    });
    await expect(bff.fetch('demo', 'me')).rejects.toMatchObject({ errorCode: 'session_required' });
    expect(events[0]).toMatchObject({ reason: 'session_ended', stepUp: undefined });
    expect(location.assigned).toEqual(['/auth/login?returnTo=%2Forders%2F7%3Ftab%3D2']);
  });
});
