/** The contract suite, in-process: requests go straight to dispatcher.handleLine. */
import { createRootd, type Rootd } from '../../rootd/rootd.ts';
import { contractSuite } from './contract.ts';
import { makeTempRootdConfig, ROOT_PEER, type TempRootd } from './helpers.ts';
import { harmlessConfig } from './socket-harness.ts';

let t: TempRootd;
let rootd: Rootd;

contractSuite(
  'in-process',
  async () => {
    t = makeTempRootdConfig();
    rootd = createRootd(harmlessConfig(t.config, t.dir));
    return {
      peer: ROOT_PEER,
      call: async (req) => JSON.parse(await rootd.dispatcher.handleLine(typeof req === 'string' ? req : JSON.stringify(req), ROOT_PEER)) as Record<string, unknown>,
    };
  },
  async () => {
    await rootd?.close();
    t?.cleanup();
  },
);
