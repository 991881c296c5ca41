/**
 * The conversation on screen: a title line, then the window of history lines that fits, anchored at the bottom.
 * `scroll` counts lines above the bottom (PgUp/PgDn); Ink 6 cannot scroll, so only the visible lines are rendered.
 */
import {Box, Text} from 'ink';
import type {HistoryLine} from '../format/history-lines.js';
import {usePalette} from '../theme.js';

export interface HistoryPaneProps {
  /** `bob`, `#devs`, `carol@beta`; undefined: nothing selected. */
  readonly title: string | undefined;
  /** What kind of conversation, after the title. */
  readonly subtitle?: string;
  readonly lines: readonly HistoryLine[];
  readonly width: number;
  readonly height: number;
  readonly scroll: number;
  readonly loading: boolean;
  readonly olderAvailable: boolean;
}

/** The slice of `lines` shown for a pane of `height` rows scrolled `scroll` lines up. */
export function visibleLines<T>(lines: readonly T[], height: number, scroll: number): T[] {
  const end = Math.max(0, lines.length - scroll);
  return lines.slice(Math.max(0, end - height), end);
}

/**
 * How many lines came after `anchor` (the key of the newest line when the view was scrolled up): the scroll grows by
 * that much, so the lines being read stay put while messages arrive. 0 without an anchor or when it is gone.
 */
export function linesAfter(lines: readonly {readonly key: string}[], anchor: string | undefined): number {
  if (anchor === undefined) return 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.key === anchor) return lines.length - 1 - i;
  }
  return 0;
}

/** The largest useful scroll for so many lines in so many rows. */
export function maxScroll(lineCount: number, height: number): number {
  return Math.max(0, lineCount - height);
}

/**
 * The scroll that brings the line with `key` into view in `rows` rows: at the top (`top`: the `── new ──` line, so
 * the unread part follows it), else about the middle; undefined while no line has that key.
 */
export function scrollToLine(lines: readonly {readonly key: string}[], key: string, rows: number, place: 'top' | 'middle'): number | undefined {
  const index = lines.findIndex((line) => line.key === key);
  if (index === -1) return undefined;
  const end = place === 'top' ? index + rows : index + Math.ceil(rows / 2);
  return Math.min(maxScroll(lines.length, rows), Math.max(0, lines.length - end));
}

function Line({line}: {readonly line: HistoryLine}) {
  const color = usePalette();
  if (line.kind === 'day') return <Text dimColor wrap="truncate">{`── ${line.text} ──`}</Text>;
  if (line.kind === 'marker') return <Text color={color('red')} bold wrap="truncate">{`── ${line.text} ──`}</Text>;
  const textColor = line.failed ? color('red') : line.mention ? color('yellow') : line.fileId !== undefined ? color('magenta') : undefined;
  if (line.kind === 'more') {
    return (
      <Text wrap="truncate">
        {' '.repeat(line.indent ?? 0)}
        <Text color={textColor} bold={line.mention} dimColor={line.pending} inverse={line.found}>{line.text}</Text>
      </Text>
    );
  }
  return (
    <Text wrap="truncate">
      <Text dimColor={!line.mention} inverse={line.mention}>{line.time}</Text>{' '}
      <Text bold color={line.own ? color('cyan') : color.sender(line.sender ?? '')}>{line.sender}</Text>
      {' '}
      <Text color={textColor} bold={line.mention} dimColor={line.pending} inverse={line.found}>{line.text}</Text>
    </Text>
  );
}

export function HistoryPane({title, subtitle, lines, width, height, scroll, loading, olderAvailable}: HistoryPaneProps) {
  const rows = Math.max(0, height - 1);
  const shown = visibleLines(lines, rows, scroll);
  const atTop = scroll >= maxScroll(lines.length, rows);
  let note = '';
  if (scroll > 0) note = `↓ ${scroll} more line${scroll === 1 ? '' : 's'} below (PgDn)`;
  else if (loading) note = 'loading…';
  else if (atTop && olderAvailable && lines.length > 0) note = 'PgUp for older';
  if (title === undefined) {
    return (
      <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
        <Text dimColor wrap="truncate">No conversation selected.</Text>
        <Text dimColor wrap="truncate">↑/↓ choose one · Alt+A goes to unread messages</Text>
        <Text dimColor wrap="truncate">/msg USER TEXT starts one · /join GROUP joins a group</Text>
        <Text dimColor wrap="truncate">F1 or ? lists every key and command</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height} paddingLeft={1}>
      <Box height={1} flexShrink={0}>
        <Text wrap="truncate">
          <Text bold>{title}</Text>
          {subtitle ? <Text dimColor>{` · ${subtitle}`}</Text> : null}
          {note ? <Text dimColor>{`   ${note}`}</Text> : null}
        </Text>
      </Box>
      <Box flexDirection="column" height={rows} justifyContent="flex-end" overflow="hidden">
        {shown.length === 0 && !loading ? <Text dimColor>No messages yet: type below and press Enter.</Text> : null}
        {shown.map((line) => <Line key={line.key} line={line} />)}
      </Box>
    </Box>
  );
}
