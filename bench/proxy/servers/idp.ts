/** The real dev IdP, as a child process of bench:proxy (it also reports its grant counts). */
import { startBenchIdp } from '../../common/idp-server';
import { roleArgs, serve } from '../serve';

serve(() => startBenchIdp(roleArgs('idp')));
