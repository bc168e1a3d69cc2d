import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its initial 1 MiB semi-space for the rest
 * of the process. Left to grow (to 16 MiB and more while the modules load),
 * it outweighs the free room V8 keeps in the server's ~27 MB old generation,
 * and V8 then starts a full mark-compact about every 100 ms for as long as
 * requests allocate: uploads streaming through 64 KiB buffers kept
 * concurrent marking busy at ~5 ms of CPU per 2 MiB photo. Kept small,
 * cheap scavenges free the spent buffers instead (sdk upload-download bench,
 * role serve: server CPU per file 16.4 → 11.6 ms, 46 → 9 mark-compacts per
 * 320 uploads, peak RSS 196 → 159 MB).
 *
 * V8 reads the flag whenever the young generation would grow, so setting it
 * at run time works, but only before the program's modules load: that
 * growth happens while they do. A shebang flag (the CLI's way) would not
 * reach tests and benchmarks, which start the entry file with `node`.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
