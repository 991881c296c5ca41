/**
 * The line editor's state in a ref, mirrored into React state for rendering. Key handlers read and update the ref,
 * so two keys that arrive before React re-renders both see the latest line (no stale closure loses a keystroke).
 */
import {useCallback, useMemo, useRef, useState} from 'react';
import {emptyEditor, lineEditorReducer, type LineEditorAction, type LineEditorState} from '../input/line-editor.js';

export interface LineEditor {
  /** The state for rendering. */
  readonly state: LineEditorState;
  /** The latest state, for handlers. */
  readonly current: () => LineEditorState;
  /** Applies an action; returns the new state. */
  readonly apply: (action: LineEditorAction) => LineEditorState;
}

export function useLineEditor(initial: LineEditorState = emptyEditor): LineEditor {
  const ref = useRef(initial);
  const [state, setState] = useState(initial);
  const current = useCallback(() => ref.current, []);
  const apply = useCallback((action: LineEditorAction) => {
    const next = lineEditorReducer(ref.current, action);
    if (next !== ref.current) {
      ref.current = next;
      setState(next);
    }
    return next;
  }, []);
  return useMemo(() => ({state, current, apply}), [state, current, apply]);
}
