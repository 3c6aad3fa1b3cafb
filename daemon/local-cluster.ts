// `npm start`: the local three-node cluster of cluster.yaml. Until the daemon lands (issue 3)
// this prints the cluster it will start, so that the README's command tells the truth.
import { readFileSync } from 'node:fs';

const text = readFileSync(new URL('../cluster.yaml', import.meta.url), 'utf8');
const nodes = [...text.matchAll(/- id: (\S+)[\s\S]*?grpc: (\S+)[\s\S]*?admin: (\S+)[\s\S]*?nbd: (\S+)/g)];
console.log('vstor: the node daemon (vstord) is not built yet; `npm start` will start these nodes:');
for (const [, id, grpc, admin, nbd] of nodes) console.log(`  ${id}  grpc ${grpc}  admin http://${admin}  nbd ${nbd}`);
console.log('Today: `npm test` runs the Raft core tests; `npm run sim -- --seeds 1000` runs the simulator.');
