export { buildApp, SERVER_VERSION } from './app.ts';
export { type Config, ConfigError, ConfigSchema, loadConfig } from './config.ts';
export { ROLES, type Role, type RunningServer, startRole } from './roles.ts';
export { createLogger, createServices, type Services } from './services.ts';
