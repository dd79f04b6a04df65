import { run } from './bench/rules.ts';
await run(['--creates', '400000', '--hosts', '500']);
