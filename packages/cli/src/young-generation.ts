import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its initial 1 MiB semi-space. Left to grow
 * to 16 MiB while the modules load, it let some 60 MB of spent 64 KiB
 * buffers wait for a collection while gigabytes streamed through, and the
 * CLI's peak RSS went past 200 MB on a 5 GiB file; kept small, scavenges
 * free them as they go (packages/cli/bench/big-file.bench.ts: upload 206 →
 * 177 MiB, download 196 → 161 MiB). V8 reads the flag whenever the young
 * generation would grow, so it must be set before the program's modules
 * load; the server does the same (packages/server/src/young-generation.ts).
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
