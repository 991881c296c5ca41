/** The tab bar: `realmchat  1 Inbox (2)  2 Groups  3 Realms (1)`, the current tab in inverse video. */
import {Box, Text} from 'ink';
import type {TabId} from '../store/types.js';
import {TABS} from '../store/types.js';
import {usePalette} from '../theme.js';

const TITLES: Readonly<Record<TabId, string>> = {inbox: 'Inbox', groups: 'Groups', realms: 'Realms'};

export interface TabBarProps {
  readonly tab: TabId;
  readonly unread: Readonly<Record<TabId, number>>;
}

export function TabBar({tab, unread}: TabBarProps) {
  const color = usePalette();
  return (
    <Box height={1} flexShrink={0}>
      <Text bold color={color('cyan')}>realmchat </Text>
      {TABS.map((id, index) => (
        <Box key={id} marginLeft={1}>
          <Text inverse={id === tab} bold={id === tab}>
            {` ${index + 1} ${TITLES[id]}`}
            {unread[id] > 0 ? <Text color={color('yellow')} bold>{` (${unread[id]})`}</Text> : null}
            {' '}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
