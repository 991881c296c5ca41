/**
 * README's tours, run in the order written against fresh daemons (issue 12, point 16): the `nc` tour's requests go
 * over a socket and each reply is compared with the one shown; then every `$ …` line of the shell tours runs the
 * built client (dist/tui/cli.js, from `npm run build`) and its output is compared with the lines shown under it
 * (times as `[HH:MM]`). The README's ports (8889, 8890) and config folders (/tmp/…-config) are mapped to the test's.
 */
import {execFile} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startRealm} from './federation/helpers.js';
import {LineClient, type TestDaemon} from './helpers/daemon.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/tui/cli.js');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The fenced `text` blocks of the README, in order. */
const blocks = [...readme.matchAll(/```text\n([\s\S]*?)```/g)].map((match) => match[1]!.split('\n').filter((line) => line !== ''));

/** Splits a shell command line into words (single quotes kept together, as sh does). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}

/** An expected output line as a pattern: `[09:41]` stands for any time, `…` for anything. */
function pattern(line: string): RegExp {
  const escaped = line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\[\d\d:\d\d\\\]/g, '\\[\\d\\d:\\d\\d\\]').replace(/…/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** Runs `node ARGS`; its exit code and output. */
function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{status: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...args], {env, encoding: 'utf8'}, (error, stdout, stderr) => {
      resolve({status: error ? Number((error as {code?: unknown}).code ?? 1) : 0, stdout, stderr});
    });
  });
}

describe('README tours', () => {
  let alpha: TestDaemon;
  let beta: TestDaemon;
  const home = mkdtempSync(join(tmpdir(), 'realmchat-readme-'));

  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error('dist/tui is missing: run `npm run build` first (npm test does)');
    alpha = await startRealm('alpha');
    beta = await startRealm('beta');
  });
  afterAll(async () => {
    await alpha?.cleanup();
    await beta?.cleanup();
    rmSync(home, {recursive: true, force: true});
  });

  const ports = (text: string) => text.replaceAll('8889', String(alpha.port)).replaceAll('8890', String(beta.port));

  it('runs the nc tour and the shell tours in the order written, from fresh daemons', async () => {
    // The nc tour: requests and the replies shown under them.
    const nc = blocks.find((block) => block[0]!.startsWith('$ nc '))!;
    const client = await LineClient.connect(alpha.port);
    try {
      for (let i = 1; i < nc.length; i += 2) {
        const reply = await client.request(nc[i]!);
        const shown = JSON.parse(nc[i + 1]!.replace(/"[^"]*…[^"]*"/g, '"…"')) as Record<string, unknown>;
        for (const [key, value] of Object.entries(shown)) {
          if (value === '…') expect(reply[key], `${nc[i]}: ${key}`).toBeDefined();
          else expect(reply[key], `${nc[i]}: ${key}`).toEqual(value);
        }
      }
    } finally {
      client.close();
    }

    // The shell tours: every `$` line of the blocks that run realmchat, in order.
    const variables: Record<string, string> = {};
    const defaultConfig = join(home, 'default');
    const seed = (dir: string) => {
      mkdirSync(join(dir, 'realmchat'), {recursive: true});
      const file = join(dir, 'realmchat', 'config.json');
      // Where the README's "npx realmchat" goes without --server: the default daemon, here the test's alpha.
      if (!existsSync(file)) writeFileSync(file, JSON.stringify({server: `127.0.0.1:${alpha.port}`}), {mode: 0o600});
    };
    seed(defaultConfig);
    const shellBlocks = blocks.filter((block) => block.some((line) => line.includes('npx realmchat')));
    expect(shellBlocks.length).toBeGreaterThanOrEqual(3);
    let ran = 0;
    for (const block of shellBlocks) {
      for (let i = 0; i < block.length; i++) {
        const line = block[i]!;
        if (!line.startsWith('$ ')) continue;
        const command = line.slice(2).replace(/\s+#.*$/, '').trim();
        const expected: string[] = [];
        for (let j = i + 1; j < block.length && !block[j]!.startsWith('$ '); j++) expected.push(ports(block[j]!));
        let argv = words(command);
        if (argv[0] === 'npm' && argv[1] === 'start') continue; // the test's beta daemon is running
        if (argv[0] === 'export') {
          const [name, value] = argv[1]!.split('=') as [string, string];
          variables[name] = join(home, value.replaceAll('/', '_'));
          seed(variables[name]);
          continue;
        }
        let configHome = defaultConfig;
        const assignment = /^XDG_CONFIG_HOME=\$(\w+)$/.exec(argv[0]!);
        if (assignment) {
          configHome = variables[assignment[1]!]!;
          argv = argv.slice(1);
        }
        expect(argv.slice(0, 2), line).toEqual(['npx', 'realmchat']);
        // Asynchronously: the daemons run in this process.
        const result = await run([cli, ...argv.slice(2).map(ports)], {...process.env, XDG_CONFIG_HOME: configHome, NO_COLOR: '1', FORCE_COLOR: undefined});
        expect({line, code: result.status, stderr: result.stderr}).toEqual({line, code: 0, stderr: ''});
        if (expected.length > 0) {
          const output = result.stdout.trimEnd().split('\n');
          expect(output.length, `${line}\n${result.stdout}`).toBe(expected.length);
          output.forEach((shown, index) => expect(shown, line).toMatch(pattern(expected[index]!)));
        }
        ran++;
      }
    }
    expect(ran).toBeGreaterThanOrEqual(15);
  });
});
