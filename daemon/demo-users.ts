/** The course's sample users, so its unmodified clients can log in at once (`realmchatd --demo-users`). */
import type {Services} from './context.js';
import {hashPassword} from './passwords.js';

export const DEMO_USERS = [
  {username: 'messi', fullName: 'Lionel Messi', country: 'Argentina'},
  {username: 'henderson', fullName: 'Jordan Henderson', country: 'Inggris'},
  {username: 'lineker', fullName: 'Gary Lineker', country: 'Inggris'},
] as const;

export const DEMO_PASSWORD = 'surabaya';

/** Creates each demo user that does not exist yet; returns the names created. */
export async function ensureDemoUsers(services: Pick<Services, 'store' | 'clock' | 'options'>): Promise<string[]> {
  const created: string[] = [];
  for (const user of DEMO_USERS) {
    if (await services.store.getUser(user.username)) continue;
    const verifier = await hashPassword(DEMO_PASSWORD, services.options.scryptCost);
    if (await services.store.createUser({...user, createdAt: services.clock.now()}, verifier)) created.push(user.username);
  }
  await services.store.settled();
  return created;
}
