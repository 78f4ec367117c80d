#!/usr/bin/env node
import { main } from '../src/cli/main.js';
import { quietSdkWarnings } from '../src/cli/warnings.js';

quietSdkWarnings();
// Exit explicitly: a mount's daemon may hold handles (the FUSE thread) past its end.
process.exit(await main(process.argv.slice(2)));
