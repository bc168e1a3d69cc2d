// What this process has used: CPU time, and its resident set with a peak
// that can be reset. getrusage's ru_maxrss cannot be reset, so a process
// whose start-up peaked higher than its work would hide what the work costs.
// On Linux, writing 5 to /proc/self/clear_refs resets VmHWM, the peak that
// /proc/self/status reports.
import { readFileSync, writeFileSync } from 'node:fs';
import type { ProcessUsage } from './server-process.ts';

const kib = (status: string, field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);

let resettable = false;

/** Starts a new peak window; false where that is impossible (the peak is then since start). */
export function resetPeakResidentSet(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    resettable = true;
  } catch {
    resettable = false;
  }
  return resettable;
}

/** User and system CPU time since the process started, in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU time, and the resident set now and at its peak (since the last reset, where one was possible). */
export function processUsage(): ProcessUsage {
  const cpu = cpuMs();
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    return {
      cpuMs: cpu,
      currentRssKiB: kib(status, 'VmRSS'),
      peakRssKiB: kib(status, 'VmHWM'),
      resettable,
    };
  } catch {
    return {
      cpuMs: cpu,
      currentRssKiB: process.memoryUsage.rss() / 1024,
      peakRssKiB: process.resourceUsage().maxRSS,
      resettable: false,
    };
  }
}
