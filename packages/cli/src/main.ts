#!/usr/bin/env node
import { keepYoungGenerationSmall } from './young-generation.ts';

// Before anything else loads: see young-generation.ts.
keepYoungGenerationSmall();
await import('./bin.ts');
