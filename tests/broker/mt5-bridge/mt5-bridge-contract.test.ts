import { suite } from 'uvu';
import { brokerContract } from '../broker-contract.ts';
import { bridgeRig } from './bridge-harness.ts';

// The same contract three ways: plain lines, every line cut into 1-5 byte TCP writes with each
// deal and result delivered twice, and several lines coalesced into one write. A 1 s request
// timeout (3 s heartbeat timeout) so that the late-fill test runs past it.
const timing = { requestTimeoutMs: 1_000, heartbeatMs: 1_000 };
const plain = suite('mt5-bridge (whole lines)');
brokerContract(plain, () => bridgeRig({}, timing));
plain.run();

const split = suite('mt5-bridge (split writes, duplicate deliveries)');
brokerContract(split, () => bridgeRig({ chunking: 'split', duplicateDeliveries: true }, timing));
split.run();

const coalesced = suite('mt5-bridge (coalesced writes)');
brokerContract(coalesced, () => bridgeRig({ chunking: 'coalesced' }, timing));
coalesced.run();
