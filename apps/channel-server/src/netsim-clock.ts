/**
 * netsim's clock hook (`@ims/app-kit` installNetsimClock), as a module main.ts imports first: it
 * runs before the other modules are evaluated, so none reads the time before it is installed.
 */
import { installNetsimClock } from '@ims/app-kit';

installNetsimClock();
