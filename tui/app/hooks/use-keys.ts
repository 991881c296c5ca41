/**
 * useInput, one key at a time: a read that holds several keys (typed faster than they are read) reaches the handler
 * as those keys, in order, and bracketed pastes as one piece of text (input/key-chunks.ts). Mouse reports go to
 * `onMouse` (or nowhere), never to the key handler, so they are never typed.
 */
import {useCallback, useRef} from 'react';
import {useInput, type Key} from 'ink';
import {parseMouse, splitKeys, type MouseEvent, type PasteState} from '../input/key-chunks.js';

export function useKeys(handler: (input: string, key: Key) => void, onMouse?: (event: MouseEvent) => void): void {
  const paste = useRef<PasteState>({active: false});
  const onInput = useCallback((input: string, key: Key) => {
    const mouse = paste.current.active ? undefined : parseMouse(input);
    if (mouse) {
      for (const event of mouse) onMouse?.(event);
      return;
    }
    for (const [pieceInput, pieceKey] of splitKeys(input, key, paste.current)) handler(pieceInput, pieceKey);
  }, [handler, onMouse]);
  useInput(onInput);
}
