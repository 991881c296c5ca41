/**
 * A one-line text field with a drawn cursor (Ink hides the terminal's): the text scrolls sideways to keep the
 * cursor in view. `mask` shows each character as `•` (passwords).
 */
import {Text} from 'ink';
import type {LineEditorState} from '../input/line-editor.js';
import {textWidth} from '../format/wrap.js';

export interface TextFieldProps {
  readonly editor: Pick<LineEditorState, 'value' | 'cursor'>;
  /** Columns available for the text. */
  readonly width: number;
  readonly focused: boolean;
  readonly mask?: boolean;
  /** Dim text shown while the field is empty. */
  readonly placeholder?: string;
}

const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

/** The part of the text that fits in `width` columns with the cursor visible: before, at, and after the cursor. */
export function visibleWindow(value: string, cursor: number, width: number): {before: string; at: string; after: string} {
  const segments = [...segmenter.segment(value)].map((entry) => ({text: entry.segment, index: entry.index, width: textWidth(entry.segment)}));
  let cursorSegment = segments.findIndex((segment) => segment.index >= cursor);
  if (cursorSegment === -1) cursorSegment = segments.length;
  const room = Math.max(1, width - 1);
  let start = cursorSegment;
  let used = 0;
  while (start > 0 && used + segments[start - 1]!.width <= room) {
    start--;
    used += segments[start]!.width;
  }
  let end = cursorSegment;
  const atWidth = segments[cursorSegment]?.width ?? 1;
  used += atWidth;
  while (end + 1 < segments.length && used + segments[end + 1]!.width <= width) {
    end++;
    used += segments[end]!.width;
  }
  const join = (from: number, to: number) => segments.slice(from, to).map((segment) => segment.text).join('');
  return {before: join(start, cursorSegment), at: segments[cursorSegment]?.text ?? ' ', after: join(cursorSegment + 1, end + 1)};
}

export function TextField({editor, width, focused, mask = false, placeholder}: TextFieldProps) {
  const shown = mask ? '•'.repeat([...editor.value].length) : editor.value;
  const cursor = mask ? [...editor.value.slice(0, editor.cursor)].length : editor.cursor;
  if (shown === '' && placeholder) {
    return (
      <Text wrap="truncate">
        {focused ? <Text inverse> </Text> : null}
        <Text dimColor>{placeholder}</Text>
      </Text>
    );
  }
  if (!focused) return <Text wrap="truncate">{shown}</Text>;
  const {before, at, after} = visibleWindow(shown, cursor, width);
  return (
    <Text wrap="truncate">
      {before}
      <Text inverse>{at}</Text>
      {after}
    </Text>
  );
}
