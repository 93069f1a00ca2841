// The peer as a user runs it (`cdk8s synth` runs `node main.js`): a process that builds the App
// and synthesizes it. run.ts times it end to end next to `kayci synth`, for information.
//
//   node peer-main.ts <n> <chart-per-pipeline|one-chart> <outdir>
import { peerSynth, type PeerLayout } from './peer.ts';

const [n, layout, outdir] = process.argv.slice(2) as [string, PeerLayout, string];
peerSynth(Number(n), layout, outdir);
