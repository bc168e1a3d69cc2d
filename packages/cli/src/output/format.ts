/** `1.5 MB`: decimal units, as disks and networks count. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export const formatRate = (bytesPerSecond: number) =>
  `${formatBytes(Math.round(bytesPerSecond))}/s`;

/** `7s`, `3m 05s`, `2h 10m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Cuts the middle out of a long path, where the least telling part usually is. */
export function fitPath(path: string, width: number): string {
  if (path.length <= width) return path;
  if (width <= 1) return '…';
  const tail = Math.ceil((width - 1) * 0.6);
  return `${path.slice(0, width - 1 - tail)}…${path.slice(path.length - tail)}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}
