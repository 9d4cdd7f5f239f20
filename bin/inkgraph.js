#!/usr/bin/env node
// Inkgraph's command line. It runs the compiled dist/ (`npm install`, `npm start` and `npm pack` build it), so it
// starts without compiling anything; INKGRAPH_FROM_SOURCE=1 (the tests set it, to test the working tree) or a
// checkout without dist/ runs the TypeScript sources through tsx instead.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/server/cli/main.js', import.meta.url);
let cli;
if (process.env.INKGRAPH_FROM_SOURCE !== '1' && existsSync(compiled)) cli = await import(compiled.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../server/cli/main.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
