/**
 * The tab bar: `realmchat  1 Inbox (2)  2 Groups  3 Realms (1)`, the current tab in inverse video. One line, never
 * wrapped: where the tabs and their counts need the room (40 columns), the `realmchat` title goes first.
 */
import {Fragment} from 'react';
import {Box, Text} from 'ink';
import type {TabId} from '../store/types.js';
import {TABS} from '../store/types.js';
import {usePalette} from '../theme.js';

const TITLES: Readonly<Record<TabId, string>> = {inbox: 'Inbox', groups: 'Groups', realms: 'Realms'};
const TITLE = 'realmchat ';

export interface TabBarProps {
  readonly tab: TabId;
  readonly unread: Readonly<Record<TabId, number>>;
  /** Columns available. */
  readonly width: number;
}

export function TabBar({tab, unread, width}: TabBarProps) {
  const color = usePalette();
  const labels = TABS.map((id, index) => ({id, text: ` ${index + 1} ${TITLES[id]}`, count: unread[id] > 0 ? ` (${unread[id]})` : ''}));
  // Each tab: a space before it, its text and count, a space after.
  const tabsWidth = labels.reduce((sum, label) => sum + 1 + label.text.length + label.count.length + 1, 0);
  return (
    <Box height={1} flexShrink={0} width={width}>
      <Text wrap="truncate">
        {TITLE.length + tabsWidth <= width ? <Text bold color={color('cyan')}>{TITLE}</Text> : null}
        {labels.map(({id, text, count}) => (
          <Fragment key={id}>
            {' '}
            <Text inverse={id === tab} bold={id === tab}>
              {text}
              {count ? <Text color={color('yellow')} bold>{count}</Text> : null}
              {' '}
            </Text>
          </Fragment>
        ))}
      </Text>
    </Box>
  );
}
