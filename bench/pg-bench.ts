/**
 * `npm run bench -- --store postgres [--processes 1,2,4]`: the bench's send and relay workloads against one realm
 * served by 1, 2 and 4 realmchatd processes on a private PostgreSQL cluster, the load spread over the processes.
 * Per workload and process count: the rate, p50/p99, each process's CPU-microseconds per message (`pN cpu us/msg`)
 * and the cluster's (`pg cpu us/msg`: the postmaster and its children). In relay-longpoll every receiver long-polls
 * another process than its sender's, so its delivery p50/p99 is the cross-process wake-up latency under load.
 */
import {PG_BIN, PgCluster} from './pg-cluster.js';
import {relayWorkload, WORKLOADS, type Figures, type Workload, type WorkloadOptions} from './workloads.js';

/**
 * `wakeup`: one sender, one send in flight, its receiver long-polling on another process: the delivery latency is the
 * cross-process wake-up (COMMIT, NOTIFY, the listener, the waiter's drain) without queueing.
 */
const WAKEUP = relayWorkload('wakeup', true, 1, 1);

/** The workloads that make sense on several processes (the others need one process or a SQLite fixture). */
export const PG_WORKLOADS = ['send16', 'send128', 'pipelined', 'relay-poll', 'relay-longpoll', 'wakeup'];

/** The workloads of `names`, in PG_WORKLOADS order. */
export function pgWorkloads(names: readonly string[]): Workload[] {
  return [...WORKLOADS, WAKEUP].filter((workload) => names.includes(workload.name) && PG_WORKLOADS.includes(workload.name));
}

/** How the PostgreSQL bench reports: a line per figure set, runs per process count, and their medians. */
export interface PgBenchReport {
  line: (label: string, figures: Figures, workload: Workload) => string;
  runs: number;
  medianOf: (runs: readonly Figures[]) => Figures;
}

/**
 * Runs `workloads` for each process count, `report.runs` times each with the process counts interleaved (so a
 * change in the machine's load hits every count alike); prints every run and the medians.
 */
export async function runPostgresBench(
  workloads: readonly Workload[], options: WorkloadOptions, processCounts: readonly number[], report: PgBenchReport,
): Promise<void> {
  if (!PG_BIN) throw new Error('--store postgres needs PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  const cluster = await PgCluster.create();
  try {
    for (const workload of workloads) {
      console.log(`== ${workload.name}: ${workload.title}`);
      console.log(`   latency: ${workload.latency}`);
      const results = new Map<number, Figures[]>(processCounts.map((count) => [count, []]));
      for (let run = 1; run <= report.runs; run++) {
        for (const processes of processCounts) {
          try {
            const figures = await workload.run('realmchatd', {...options, pg: {cluster, processes}});
            results.get(processes)!.push(figures);
            console.log(`   ${report.runs > 1 ? `run ${run} ` : ''}${report.line(`${processes} proc`, figures, workload)}`);
          } catch (error) {
            console.log(`   ${processes} proc FAILED: ${(error as Error).stack ?? String(error)}`);
          }
        }
      }
      if (report.runs > 1) {
        for (const [processes, figures] of results) {
          if (figures.length > 0) console.log(`   median ${report.line(`${processes} proc`, report.medianOf(figures), workload)}`);
        }
      }
      console.log('');
    }
  } finally {
    await cluster.destroy();
  }
}
