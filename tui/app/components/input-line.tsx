/** The input line at the bottom of the main screen: a prompt naming where Enter sends, and the text field. */
import {Box, Text} from 'ink';
import type {LineEditorState} from '../input/line-editor.js';
import {textWidth} from '../format/wrap.js';
import {usePalette} from '../theme.js';
import {TextField} from './text-field.js';

export interface InputLineProps {
  readonly editor: LineEditorState;
  readonly width: number;
  /** Where plain text goes (`bob`, `#devs`), or undefined when no conversation is selected. */
  readonly target: string | undefined;
}

export function InputLine({editor, width, target}: InputLineProps) {
  const color = usePalette();
  const prompt = `${target ?? ''}› `;
  const note = editor.recall ? ' (history)' : '';
  const fieldWidth = Math.max(4, width - textWidth(prompt) - note.length);
  const placeholder = target ? `message ${target} · /help for commands` : '/msg USER TEXT starts a conversation · /help for commands';
  return (
    <Box height={1} flexShrink={0}>
      <Text color={color('cyan')} bold>{prompt}</Text>
      <Box width={fieldWidth}>
        <TextField editor={editor} width={fieldWidth} focused placeholder={placeholder} />
      </Box>
      {note ? <Text dimColor>{note}</Text> : null}
    </Box>
  );
}
