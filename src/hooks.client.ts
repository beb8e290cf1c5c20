// Runs before the app starts. The Content-Security-Policy allows no eval: zod's JIT would probe
// `new Function` (caught, but reported as a CSP violation), so it runs without it.
import { z } from 'zod';

z.config({ jitless: true });
