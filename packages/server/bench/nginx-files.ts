// nginx serving a folder of files, as operators put it in front of static
// files today: Debian's nginx (`apt-get install nginx-light`), one worker,
// sendfile, open_file_cache, no access log. For benchmarks that compare a
// server with it in the same run; undefined where nginx is not installed.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface NginxFiles {
  url: string;
  /** CPU time nginx has used so far (user and system), in microseconds. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

/** Clock ticks a second in /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** A port free right now (nginx cannot be told to pick one). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const configFor = (root: string, prefix: string, port: number) => `
daemon off;
master_process off;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  open_file_cache max=10000 inactive=60s;
  open_file_cache_valid 60s;
  types { image/jpeg jpg; image/webp webp; image/png png; }
  client_body_temp_path ${join(prefix, 'body')};
  proxy_temp_path ${join(prefix, 'proxy')};
  fastcgi_temp_path ${join(prefix, 'fastcgi')};
  uwsgi_temp_path ${join(prefix, 'uwsgi')};
  scgi_temp_path ${join(prefix, 'scgi')};
  server {
    listen 127.0.0.1:${port};
    root ${root};
    expires max;
    location = /ready { return 204; }
  }
}
`;

/** Starts nginx on `root`, with its files under `prefix`; undefined when there is no nginx. */
export async function startNginx(root: string, prefix: string): Promise<NginxFiles | undefined> {
  const binary = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'];
  let child: ChildProcess | undefined;
  const port = await freePort();
  await mkdir(prefix, { recursive: true });
  const config = join(prefix, 'nginx.conf');
  await writeFile(config, configFor(root, prefix, port));
  for (const path of binary) {
    const started = spawn(path, ['-p', prefix, '-c', config], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const failed = await Promise.race([
      once(started, 'error').then(() => true),
      once(started, 'spawn').then(() => false),
    ]);
    if (!failed) {
      child = started;
      break;
    }
  }
  if (!child) return undefined;
  const url = `http://127.0.0.1:${port}`;
  // Ready when it answers.
  for (let tries = 0; ; tries++) {
    try {
      await fetch(`${url}/ready`);
      break;
    } catch (error) {
      if (tries > 100 || child.exitCode !== null) throw new Error(`nginx did not start: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const exited = once(child, 'exit');
  const pid = child.pid as number;
  return {
    url,
    cpuMicros: async () => {
      // Fields 14 and 15 of /proc/PID/stat, counted after the command's closing parenthesis.
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6;
    },
    stop: async () => {
      child.kill('SIGQUIT');
      await exited;
    },
  };
}
