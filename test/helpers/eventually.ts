/** Retrying a check that becomes true asynchronously (a wake-up, a reconnect), without asserting on time. */

/** Resolves with `attempt`'s first result that neither throws nor rejects; rethrows after `tries` tries 25 ms apart. */
export async function eventually<T>(attempt: () => T | Promise<T>, tries = 400): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= tries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
