import { randomBytes } from 'node:crypto';
import { Credentials, SCOPES, type Scope } from '@flickr-kit/sdk/contract';
import { Command, Option } from 'commander';
import { SERVER_VERSION } from '../app.ts';
import {
  type Config,
  ConfigError,
  ConfigSchema,
  type ConfigVariable,
  flagFor,
  loadConfig,
} from '../config.ts';
import { DomainError } from '../domain/errors.ts';
import { CDN_PREFIX } from '../domain/url-signer.ts';
import { ROLES, type Role, startRole } from '../roles.ts';
import { createLogger, createServices } from '../services.ts';
import { stopOnSignals } from '../shutdown-signals.ts';
import { readStdin } from './read-stdin.ts';
import { startupFailure } from './startup-failure.ts';

const EXIT_USAGE = 2;

function fail(message: string, code = 1): never {
  process.stderr.write(`flickr-server: ${message}\n`);
  process.exit(code);
}

/** Each setting's flag, as commander names the option's value, by variable. */
const CONFIG_FLAGS = (Object.keys(ConfigSchema.shape) as ConfigVariable[]).map((variable) => {
  const option = new Option(
    `${flagFor(variable)} <value>`,
    `${ConfigSchema.shape[variable].description ?? ''} (${variable})`,
  );
  return { variable, option, key: option.attributeName() };
});

/** Gives a command a flag for every setting: the same names as the variables, the same validation. */
function withConfigFlags(command: Command): Command {
  for (const { option } of CONFIG_FLAGS) command.addOption(option);
  return command.addHelpText(
    'after',
    '\nEvery flag can also be set by the environment variable in brackets; a flag wins.',
  );
}

/** The configuration from the environment and a command's flags. */
function config(options: Record<string, unknown>) {
  const flags: Partial<Record<ConfigVariable, string>> = {};
  for (const { variable, key } of CONFIG_FLAGS) {
    const value = options[key];
    if (typeof value === 'string') flags[variable] = value;
  }
  try {
    return loadConfig(process.env, flags);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, EXIT_USAGE);
    throw error;
  }
}

/** Fails with one line for what an operator can fix; anything else is a bug, with its stack. */
function failToStart(error: unknown, cfg: Config): never {
  const reason = startupFailure(error, cfg);
  if (reason) fail(reason);
  throw error;
}

async function run(role: Role, options: Record<string, unknown>): Promise<void> {
  const cfg = config(options);
  const server = await startRole(role, cfg).catch((error: unknown) => failToStart(error, cfg));
  const url = server.url;
  const data = `  data       ${cfg.dataDir}  (${server.services.store.description})`;
  const lines = [`flickr-server ${SERVER_VERSION} is running (${role})`];
  // Each role advertises only what it serves: the CDN tier has no API, the worker no port.
  if (url && role === 'cdn') {
    lines.push(
      `  CDN        ${url}  (files under ${url}${CDN_PREFIX}/, by signed URLs the API hands out)`,
      `  health     curl ${url}/healthz`,
      data,
      `  wiring     set FLICKR_CDN_URL=${url} on every API process`,
    );
  } else if (url) {
    lines.push(
      `  API        ${url}  (OpenAPI document: ${url}/openapi.json)`,
      data,
      `  limits     curl ${url}/v1/limits`,
      `  register   curl -X POST ${url}/v1/auth/register -H 'content-type: application/json' \\`,
      `                  -d '{"username":"alice","password":"a long passphrase"}'`,
      `  admin      flickr-server user create NAME --admin`,
    );
  } else {
    lines.push(data);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  stopOnSignals(server);
}

/** Runs a one-off task against the configured database, then closes it. */
async function withServices<T>(
  options: Record<string, unknown>,
  task: (services: Awaited<ReturnType<typeof createServices>>) => Promise<T>,
): Promise<T> {
  const cfg = config(options);
  const services = await createServices(cfg, createLogger({ logLevel: 'warn' })).catch(
    (error: unknown) => failToStart(error, cfg),
  );
  try {
    return await task(services);
  } catch (error) {
    if (error instanceof DomainError) fail(error.message);
    throw error;
  } finally {
    await services.close();
  }
}

const program = new Command('flickr-server')
  .version(SERVER_VERSION)
  .description(
    'The flickr-kit reference server. With no configuration it runs everything in one process on SQLite and files under ./data.\n' +
      'Configuration comes from FLICKR_* environment variables and DATABASE_URL (docs/configuration.md),\n' +
      'each also a flag of every command (FLICKR_DATA_DIR is --data-dir; see `flickr-server serve --help`).',
  )
  .showHelpAfterError();

for (const role of ROLES) {
  const descriptions: Record<Role, string> = {
    all: 'run the API and the saga worker in one process (the default)',
    serve: 'run the API only',
    worker: 'run the upload saga worker and scheduled jobs only',
    cdn: 'run the CDN tier only: signed, cached delivery of published files',
  };
  withConfigFlags(program.command(role, { isDefault: role === 'all' }))
    .description(descriptions[role])
    .action((options: Record<string, unknown>) => run(role, options));
}

withConfigFlags(program.command('migrate'))
  .description('create or update the database schema, then exit (every role also does it at start)')
  .action((options: Record<string, unknown>) =>
    withServices(options, async (services) => {
      process.stderr.write(`schema is up to date (${services.store.description})\n`);
    }),
  );

const user = program.command('user').description('manage users');
withConfigFlags(user.command('create <username>'))
  .description('create a user; prints a generated password unless --password-stdin is given')
  .option('--admin', 'make the user an administrator', false)
  .option('--password-stdin', 'read the password from standard input', false)
  .addHelpText(
    'after',
    '\nExample:\n  echo "a long passphrase" | flickr-server user create alice --admin --password-stdin',
  )
  .action((username: string, options: { admin: boolean; passwordStdin: boolean }) =>
    withServices(options, async (services) => {
      const password = options.passwordStdin
        ? await readStdin()
        : randomBytes(12).toString('base64url');
      const parsed = Credentials.safeParse({ username, password });
      if (!parsed.success)
        fail(
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          EXIT_USAGE,
        );
      const created = await services.accounts.createUser(username, password, {
        isAdmin: options.admin,
      });
      process.stdout.write(
        options.passwordStdin
          ? `created ${created.isAdmin ? 'administrator' : 'user'} ${created.username}\n`
          : `created ${created.isAdmin ? 'administrator' : 'user'} ${created.username} with password ${password}\n`,
      );
    }),
  );

const token = program.command('token').description('manage API tokens');
withConfigFlags(token.command('create <username>'))
  .description('create an API token for a user and print it (shown once)')
  .option('--name <name>', 'what the token is for', 'cli')
  .addOption(new Option('--scopes <scopes>', 'comma-separated scopes').default('read,write'))
  .addHelpText(
    'after',
    '\nExample:\n  flickr-server token create alice --name ci --scopes read,write',
  )
  .action((username: string, options: { name: string; scopes: string }) =>
    withServices(options, async (services) => {
      const scopes = options.scopes.split(',').map((s) => s.trim());
      const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (unknown.length > 0)
        fail(`unknown scopes: ${unknown.join(', ')} (use ${SCOPES.join(', ')})`, EXIT_USAGE);
      process.stdout.write(
        `${await services.accounts.createTokenForUser(username, options.name, scopes as Scope[])}\n`,
      );
    }),
  );

await program.parseAsync();
