/**
 * A tab's conversations, newest activity first: name, mentions (`@2`), unread count, time of the last message. The selected one is
 * in inverse video; the list scrolls to keep it in view.
 */
import {Box, Text} from 'ink';
import {clockTime} from '../format/history-lines.js';
import {padEnd, textWidth, truncate} from '../format/wrap.js';
import {titleOf} from '../store/conversations.js';
import type {ConversationView} from '../store/types.js';
import {usePalette} from '../theme.js';

export interface ConversationListProps {
  readonly conversations: readonly ConversationView[];
  readonly selectedKey: string | undefined;
  readonly width: number;
  readonly height: number;
  /** Shown when the list is empty. */
  readonly emptyHint: string;
  /** For "today or not" in the time column. */
  readonly now?: Date;
  /** How times are shown. @default 24h */
  readonly timeFormat?: '24h' | '12h';
}

const pad2 = (value: number) => String(value).padStart(2, '0');

/** `09:41` today, `31 Jan` another day of this year, `2024-01-31` before. */
export function shortTime(ts: string | undefined, now: Date, format: '24h' | '12h' = '24h'): string {
  if (ts === undefined) return '';
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return '';
  if (date.toDateString() === now.toDateString()) return clockTime(date, format);
  if (date.getFullYear() === now.getFullYear()) return `${pad2(date.getDate())} ${date.toLocaleString('en', {month: 'short'})}`;
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
}

/** The index of the first conversation shown: the list scrolls to keep the selected one in view. */
export function listTop(conversations: readonly ConversationView[], selectedKey: string | undefined, height: number): number {
  const selected = Math.max(0, conversations.findIndex((conversation) => conversation.key === selectedKey));
  return Math.min(Math.max(0, selected - height + 1), Math.max(0, conversations.length - height));
}

export function ConversationList({conversations, selectedKey, width, height, emptyHint, now = new Date(), timeFormat = '24h'}: ConversationListProps) {
  const color = usePalette();
  if (height <= 0) return null;
  if (conversations.length === 0) {
    return <Box height={height} width={width}><Text dimColor wrap="wrap">{emptyHint}</Text></Box>;
  }
  const top = listTop(conversations, selectedKey, height);
  const shown = conversations.slice(top, top + height);
  return (
    <Box flexDirection="column" height={height} width={width}>
      {shown.map((conversation) => {
        const isSelected = conversation.key === selectedKey;
        const time = shortTime(conversation.lastTs, now, timeFormat);
        const badge = conversation.unread > 0 ? ` ${conversation.unread > 99 ? '99+' : conversation.unread}` : '';
        // Mentions are counted apart: `@2` before the unread count.
        const mentionBadge = conversation.mentions > 0 ? ` @${conversation.mentions > 9 ? '9+' : conversation.mentions}` : '';
        const nameWidth = Math.max(1, width - textWidth(badge) - mentionBadge.length - (time ? time.length + 1 : 0) - 1);
        const name = padEnd(truncate(titleOf(conversation), nameWidth), nameWidth);
        return (
          <Text key={conversation.key} inverse={isSelected} bold={conversation.unread > 0} wrap="truncate">
            {isSelected ? '›' : ' '}{name}
            {mentionBadge ? <Text color={color('magenta')} bold>{mentionBadge}</Text> : null}
            {badge ? <Text color={color('yellow')}>{badge}</Text> : null}
            {time ? <Text dimColor={!isSelected}>{` ${time}`}</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
