/**
 * What the benchmarks read about processes from Linux's /proc, and how they pin them to CPUs: CPU time
 * (/proc/PID/stat), resident memory (/proc/PID/status VmRSS), descriptor limits (/proc/PID/limits), and the
 * `taskset` / `prlimit` wrappers used to start children on a given CPU with a raised descriptor limit.
 */
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, readdirSync} from 'node:fs';
import {cpus as listCpus} from 'node:os';

let clockTicks: number | undefined;

/** USER_HZ, the unit of utime/stime in /proc/PID/stat (100 on every Linux we know of; asked once). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time (user + system, all threads) of a process in seconds. */
export function cpuSeconds(pid: number): number {
  try {
    // The command name (field 2) may hold spaces and parentheses: split after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond(); // utime, stime
  } catch {
    return NaN;
  }
}

/** A process and its direct children (from /proc/PID/stat), e.g. PostgreSQL's postmaster and its backends. */
export function withChildren(pid: number): number[] {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
    } catch {
      // it exited meanwhile
    }
  }
  return pids;
}

/** Resident memory of a process in KiB (VmRSS), NaN when it cannot be read. */
export function rssKiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** The open-files limit (soft, hard) of a process ('self' for this one). */
export function nofileLimits(pid: number | 'self' = 'self'): {soft: number; hard: number} {
  try {
    const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    const parse = (value: string | undefined) => (value === undefined || value === 'unlimited' ? Infinity : Number(value));
    if (match) return {soft: parse(match[1]), hard: parse(match[2])};
  } catch {
    // not Linux
  }
  return {soft: 1024, hard: 1024};
}

/** Whether an executable is on the PATH. */
export function hasCommand(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(`${dir}/${name}`));
}

/** How the benchmark places its processes. */
export interface Placement {
  /** CPU of the servers under test (daemon, baseline); undefined: not pinned. */
  serverCpu: number | undefined;
  /** CPU of the load generator; undefined: not pinned. */
  loadCpu: number | undefined;
  /** Whether children can be started with a raised descriptor soft limit. */
  prlimit: boolean;
  /** A sentence for the report. */
  describe: string;
}

/** Servers on CPU 0 and load on CPU 1 when there are 2+ CPUs and taskset exists; `pin: false` turns it off. */
export function placement(pin = true): Placement {
  const cpus = listCpus().length; // the machine's CPUs, not this process's affinity (we may already be pinned)
  const prlimit = hasCommand('prlimit');
  if (!pin) return {serverCpu: undefined, loadCpu: undefined, prlimit, describe: `not pinned (--no-pin), ${cpus} CPUs`};
  if (cpus < 2) return {serverCpu: undefined, loadCpu: undefined, prlimit, describe: `not pinned: only ${cpus} CPU`};
  if (!hasCommand('taskset')) {
    return {serverCpu: undefined, loadCpu: undefined, prlimit, describe: `not pinned: no taskset on the PATH (${cpus} CPUs)`};
  }
  return {serverCpu: 0, loadCpu: 1, prlimit, describe: `servers pinned to CPU 0, load generator to CPU 1 (${cpus} CPUs)`};
}

/**
 * The command prefix that starts a program on `cpu` with the descriptor soft limit raised to `nofile` (each wrapper
 * execs the next, so the final program keeps the child's pid). Empty when nothing is needed.
 */
export function wrapperPrefix(cpu: number | undefined, nofile: number | undefined): string[] {
  const prefix: string[] = [];
  if (cpu !== undefined) prefix.push('taskset', '-c', String(cpu));
  if (nofile !== undefined && hasCommand('prlimit')) prefix.push('prlimit', `--nofile=${nofile}:${nofile}`);
  return prefix;
}
