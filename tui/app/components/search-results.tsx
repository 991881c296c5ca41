/**
 * `/search` results over the conversation area: one line per message (conversation, sender, time, the text with the
 * searched words highlighted), best match first; ↑/↓ choose, Enter jumps to the message, Esc closes.
 */
import {Box, Text} from 'ink';
import {searchWordsOf} from '../../../common/protocol/request.js';
import {sanitize} from '../../shared/text.js';
import {shortTime} from './conversation-list.js';
import {highlightWords} from '../../shared/search-highlight.js';
import {padEnd, truncate} from '../format/wrap.js';
import {parseAddress, titleOf} from '../store/conversations.js';
import type {SearchView} from '../store/types.js';
import {usePalette} from '../theme.js';

export interface SearchResultsProps {
  readonly search: SearchView;
  /** Our realm: a result of one of its conversations is titled without it. */
  readonly realm: string | undefined;
  readonly width: number;
  readonly height: number;
  readonly timeFormat?: '24h' | '12h';
  /** For "today or not" in the time column. */
  readonly now?: Date;
}

/** The index of the first result shown: the list scrolls to keep the chosen one in view. */
export function resultsTop(count: number, selected: number, rows: number): number {
  return Math.min(Math.max(0, selected - rows + 1), Math.max(0, count - rows));
}

/** `#devs`, `bob`, `carol@beta` for a result's conversation name. */
function conversationTitle(conversation: string, realm: string | undefined): string {
  const ref = parseAddress(conversation, realm);
  return ref ? titleOf(ref) : conversation;
}

export function SearchResults({search, realm, width, height, timeFormat = '24h', now = new Date()}: SearchResultsProps) {
  const color = usePalette();
  const words = searchWordsOf(search.words) ?? [];
  const inner = Math.max(10, width - 4);
  // Inside the border: the title line, the results, the key line.
  const rows = Math.max(1, height - 4);
  const scope = search.conversation === undefined ? 'all conversations' : conversationTitle(search.conversation, realm);
  const count = search.state === 'loading' ? 'searching…' : search.state === 'error' ? 'failed'
    : `${search.results.length}${search.more ? '+' : ''} result${search.results.length === 1 ? '' : 's'}`;
  const top = resultsTop(search.results.length, search.selected, rows);
  const shown = search.results.slice(top, top + rows);
  const titleWidth = Math.min(16, Math.max(...search.results.map((hit) => conversationTitle(hit.conversation, realm).length), 4));
  const senderWidth = Math.min(12, Math.max(...search.results.map((hit) => hit.from.length), 4));
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" paddingX={1} overflow="hidden">
      <Text wrap="truncate">
        <Text bold color={color('cyan')}>Search </Text><Text bold>{sanitize(search.words)}</Text>
        <Text dimColor>{` in ${scope} · ${count}`}</Text>
      </Text>
      {search.state === 'done' && search.results.length === 0 ? <Text dimColor>No messages match.</Text> : null}
      {shown.map((hit, index) => {
        const chosen = top + index === search.selected;
        const time = shortTime(hit.ts, now, timeFormat).padStart(6);
        const head = `${padEnd(truncate(conversationTitle(hit.conversation, realm), titleWidth), titleWidth)} ${padEnd(truncate(sanitize(hit.from), senderWidth), senderWidth)} ${time} `;
        const room = Math.max(1, inner - head.length - 1);
        return (
          <Text key={`${hit.conversation}-${hit.id}`} wrap="truncate" inverse={chosen}>
            {chosen ? '›' : ' '}{head}
            {highlightWords(truncate(sanitize(hit.text), room), words).map((piece, i) => (
              <Text key={i} bold={piece.hit} color={piece.hit ? color('yellow') : undefined}>{piece.text}</Text>
            ))}
          </Text>
        );
      })}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate">↑/↓ choose · Enter jumps to the message · Esc closes</Text>
    </Box>
  );
}
