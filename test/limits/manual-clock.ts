/** A clock the test moves by hand: back-off and rate limits without timed assertions. */
import type {Clock} from '../../daemon/clock.js';

export class ManualClock implements Clock {
  constructor(public ms = 1_700_000_000_000) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
