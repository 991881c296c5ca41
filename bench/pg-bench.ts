/**
 * `npm run bench -- --store postgres [--processes 1,2,4]`: the bench's send and relay workloads against one realm
 * served by 1, 2 and 4 realmchatd processes on a private PostgreSQL cluster, the load spread over the processes.
 * Per workload and process count: the rate, p50/p99, each process's CPU-microseconds per message (`pN cpu us/msg`)
 * and the cluster's (`pg cpu us/msg`: the postmaster and its children). In relay-longpoll every receiver long-polls
 * another process than its sender's, so its delivery p50/p99 is the cross-process wake-up latency under load.
 */
import {PG_BIN, PgCluster} from './pg-cluster.js';
import type {Figures, Workload, WorkloadOptions} from './workloads.js';

/** The workloads that make sense on several processes (the others need one process or a SQLite fixture). */
export const PG_WORKLOADS = ['send16', 'send128', 'pipelined', 'relay-poll', 'relay-longpoll'];

/** Runs `workloads` for each process count; prints one line per run with `line`. */
export async function runPostgresBench(
  workloads: readonly Workload[], options: WorkloadOptions, processCounts: readonly number[],
  line: (label: string, figures: Figures, workload: Workload) => string,
): Promise<void> {
  if (!PG_BIN) throw new Error('--store postgres needs PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  const cluster = await PgCluster.create();
  try {
    for (const workload of workloads) {
      console.log(`== ${workload.name}: ${workload.title}`);
      console.log(`   latency: ${workload.latency}`);
      for (const processes of processCounts) {
        try {
          const figures = await workload.run('realmchatd', {...options, pg: {cluster, processes}});
          console.log(`   ${line(`${processes} proc`, figures, workload)}`);
        } catch (error) {
          console.log(`   ${processes} proc FAILED: ${(error as Error).stack ?? String(error)}`);
        }
      }
      console.log('');
    }
  } finally {
    await cluster.destroy();
  }
}
