// A real terminal for flickr-cli: a detached tmux session whose screen the
// tests read and whose keyboard they type on. Tests skip, saying why, where
// tmux is not installed.
import { execFileSync, spawnSync } from 'node:child_process';

export const haveTmux = spawnSync('tmux', ['-V']).status === 0;

/** A value quoted for the shell the session runs its command in. */
export const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

/** Runs a command in a detached tmux session of the given size; returns the session's name. */
export function tmuxRun(command: string, env: Record<string, string>, columns = 100): string {
  const name = `flickr-cli-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const exports = Object.entries(env)
    .map(([key, value]) => `${key}=${quote(value)}`)
    .join(' ');
  execFileSync('tmux', [
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(columns),
    '-y',
    '40',
    `env -u CI ${exports} ${command}; echo "EXIT=$?"; sleep 60`,
  ]);
  return name;
}

export const screen = (session: string, escapes = false) =>
  execFileSync('tmux', ['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session], {
    encoding: 'utf8',
  });

/** Types a line on the session's keyboard, Enter included. */
export const typeLine = (session: string, text: string) =>
  execFileSync('tmux', [
    'send-keys',
    '-t',
    session,
    '-l',
    text,
    ';',
    'send-keys',
    '-t',
    session,
    'Enter',
  ]);

export const killSession = (session: string) => spawnSync('tmux', ['kill-session', '-t', session]);

export async function waitForScreen(
  session: string,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen(session);
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`the screen never matched ${pattern}:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
