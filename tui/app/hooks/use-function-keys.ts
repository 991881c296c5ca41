/**
 * Function keys. Ink 6's useInput reports F1 as an empty input with no key flag, so this listens to the raw input
 * events that Ink parses and recognises F1's escape sequences (xterm `ESC O P`, VT `ESC [ 1 1 ~`, Linux console
 * `ESC [ [ A`, and the CSI forms with modifiers).
 */
import {useEffect, useRef} from 'react';
import {useStdin} from 'ink';

// eslint-disable-next-line no-control-regex -- escape sequences start with ESC
const F1 = /^\u001B(?:OP|\[11~|\[\[A|\[1;\d+P|\[P)$/;

export function useF1(handler: () => void, isActive = true): void {
  const {internal_eventEmitter: events} = useStdin();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    if (!isActive || !events) return;
    const onInput = (data: string) => {
      if (F1.test(data)) latest.current();
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
    };
  }, [events, isActive]);
}
