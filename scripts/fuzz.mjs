#!/usr/bin/env node
/**
 * npm run fuzz -- [--runs N] [--seed S]: the property-based tests of test/fuzz/ with N runs per property (default
 * 10000; the whole-daemon property runs a tenth of that), or replaying a seed fast-check reported.
 */
import {spawn} from 'node:child_process';
import process from 'node:process';
import {parseArgs} from 'node:util';

const {values} = parseArgs({options: {runs: {type: 'string', default: '10000'}, seed: {type: 'string'}}});
if (!/^\d+$/.test(values.runs) || Number(values.runs) < 1) {
  process.stderr.write(`fuzz: --runs must be a whole number from 1, not "${values.runs}"\n`);
  process.exit(2);
}
const env = {...process.env, FUZZ_RUNS: values.runs, ...(values.seed === undefined ? {} : {FUZZ_SEED: values.seed})};
const vitest = spawn('npx', ['vitest', 'run', 'test/fuzz'], {stdio: 'inherit', env});
vitest.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
