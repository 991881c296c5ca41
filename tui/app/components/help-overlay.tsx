/**
 * F1 / `?` / `/help`: the keys and commands in a box over the conversation area. ↑/↓ and PgUp/PgDn scroll it when
 * the terminal is too short; any other key closes it.
 */
import {Box, Text} from 'ink';
import {COMMAND_HELP, KEY_HELP, type HelpEntry} from '../commands/help-content.js';
import {padEnd, truncate} from '../format/wrap.js';
import {usePalette} from '../theme.js';

export interface HelpOverlayProps {
  readonly width: number;
  readonly height: number;
  /** Lines scrolled off the top. */
  readonly offset: number;
}

type HelpRow = {readonly kind: 'title'; readonly text: string} | {readonly kind: 'entry'; readonly entry: HelpEntry; readonly keyWidth: number};

/** Every row of the help, in order. */
export function helpRows(width: number): HelpRow[] {
  const section = (text: string, entries: readonly HelpEntry[]): HelpRow[] => {
    const keyWidth = Math.min(Math.max(...entries.map((entry) => entry.keys.length)), Math.floor(width * 0.5));
    return [{kind: 'title', text}, ...entries.map((entry): HelpRow => ({kind: 'entry', entry, keyWidth}))];
  };
  return [...section('Keys', KEY_HELP), ...section('Commands', COMMAND_HELP)];
}

/** Rows of help that fit in an overlay of `height` rows (border and footer excluded). */
export function helpPageRows(height: number): number {
  return Math.max(1, height - 3);
}

export function HelpOverlay({width, height, offset}: HelpOverlayProps) {
  const color = usePalette();
  const inner = Math.max(10, width - 4);
  const rows = helpRows(inner);
  const page = helpPageRows(height);
  const top = Math.min(Math.max(0, offset), Math.max(0, rows.length - page));
  const shown = rows.slice(top, top + page);
  const more = top + page < rows.length;
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" paddingX={1} overflow="hidden">
      {shown.map((row, index) => row.kind === 'title'
        ? <Text key={`t${top + index}`} bold color={color('cyan')}>{row.text}</Text>
        : (
          <Text key={`e${top + index}`} wrap="truncate">
            <Text bold>{padEnd(row.entry.keys, row.keyWidth)}</Text>  {truncate(row.entry.what, Math.max(1, inner - row.keyWidth - 2))}
          </Text>
        ))}
      <Text dimColor wrap="truncate">{more ? '↓/PgDn more · ' : ''}{top > 0 ? '↑/PgUp back · ' : ''}any other key closes · docs/TUI.md has it all</Text>
    </Box>
  );
}
