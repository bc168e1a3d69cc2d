// Preloaded into a flickr-cli process by the benchmark (node --import): at
// exit it writes what the process used to $FLICKR_BENCH_USAGE, so the figures
// are the CLI's own, not the benchmark's: peak resident set (getrusage), and
// the bytes it read (/proc/self/io rchar: every read() call, cached or not).
// Plain JavaScript on purpose: a .ts preload would load Node's TypeScript
// stripper into the process and count its memory as the CLI's.
import { readFileSync, writeFileSync } from 'node:fs';

const target = process.env.FLICKR_BENCH_USAGE;
if (target)
  process.on('exit', () => {
    let readBytes = null;
    try {
      readBytes = Number(/^rchar:\s+(\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
    } catch {}
    writeFileSync(
      target,
      JSON.stringify({ peakRssKiB: process.resourceUsage().maxRSS, readBytes }),
    );
  });
