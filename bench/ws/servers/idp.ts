/** The real dev IdP, as a child process of bench:ws. */
import { startBenchIdp } from '../../common/idp-server';
import { roleArgs, serve } from '../serve';

serve(async () => {
  const { url, close } = await startBenchIdp(roleArgs('idp'));
  return { url, close };
});
