/** The current time, re-read every `intervalMs` while `active` (for countdowns such as "reconnecting in 4 s"). */
import {useEffect, useState} from 'react';

export function useNow(active: boolean, intervalMs = 1000, now: () => number = Date.now): number {
  const [time, setTime] = useState(now);
  useEffect(() => {
    if (!active) return;
    setTime(now());
    const timer = setInterval(() => setTime(now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, now]);
  return time;
}
