import { testNetwork } from '@ims/secure';
import { describeTransport, failAfter } from '../test/describe-transport.js';
import { secureTcpTransport } from './secure-tcp-transport.js';

const network = testNetwork(2);
const [a, b] = network.modes as [(typeof network.modes)[0], (typeof network.modes)[0]];

describeTransport('secureTcpTransport over loopback (TLS 1.3)', () => ({ transport: secureTcpTransport(a), address: '127.0.0.1', source: '127.0.0.1', wait: (p) => failAfter(p), refusalFailsDial: true }));
void b;
