/** The real dev IdP, as a child process of bench:proxy and bench:peer (it also reports its grant counts). */
import { startBenchIdp } from '../../common/idp-server';
import { serve } from '../../common/serve';
import { roleArgs } from '../protocol';

serve(() => startBenchIdp(roleArgs('idp')));
