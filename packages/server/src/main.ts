#!/usr/bin/env node
import { keepYoungGenerationSmall } from './young-generation.ts';

// Before anything else loads: see young-generation.ts.
keepYoungGenerationSmall();
// Everything the server writes (the database, originals, staged uploads, the
// signing key) is its users' private data: readable by its own account only,
// whatever umask the shell or the service manager left (often 022).
process.umask(0o077);
await import('./cli/commands.ts');
