/** Subscribes a component to the chat store; re-renders on every change (the snapshot is immutable). */
import {useSyncExternalStore} from 'react';
import type {ChatStore} from '../store/chat-store.js';
import type {ChatState} from '../store/types.js';

export function useStore(store: ChatStore): ChatState {
  return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}
