export * from './accounts.ts';
export * from './common.ts';
export * from './errors.ts';
export * from './events.ts';
export { buildOpenApiDocument } from './openapi.ts';
export * from './operation.ts';
export { type OperationId, operations } from './operations.ts';
export * from './photos.ts';
export * from './uploads.ts';
