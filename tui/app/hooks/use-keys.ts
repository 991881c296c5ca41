/**
 * useInput, one key at a time: a read that holds several keys (typed faster than they are read) reaches the handler
 * as those keys, in order, and bracketed pastes as one piece of text (input/key-chunks.ts).
 */
import {useCallback, useRef} from 'react';
import {useInput, type Key} from 'ink';
import {splitKeys, type PasteState} from '../input/key-chunks.js';

export function useKeys(handler: (input: string, key: Key) => void): void {
  const paste = useRef<PasteState>({active: false});
  const onInput = useCallback((input: string, key: Key) => {
    for (const [pieceInput, pieceKey] of splitKeys(input, key, paste.current)) handler(pieceInput, pieceKey);
  }, [handler]);
  useInput(onInput);
}
