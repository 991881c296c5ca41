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
  /** Unread mentions per tab, shown apart: `2 Groups (5 @1)`. */
  readonly mentions?: Readonly<Record<TabId, number>>;
  /** Columns available. */
  readonly width: number;
}

function labelsOf(unread: TabBarProps['unread'], mentions: TabBarProps['mentions']) {
  return TABS.map((id, index) => {
    const at = (mentions?.[id] ?? 0) > 0 ? ` @${mentions![id]}` : '';
    return {id, text: ` ${index + 1} ${TITLES[id]}`, count: unread[id] > 0 ? ` (${unread[id]}${at})` : ''};
  });
}

/** Each tab: a space before it, its text and count, a space after. */
const tabsWidthOf = (labels: ReturnType<typeof labelsOf>) => labels.reduce((sum, label) => sum + 1 + label.text.length + label.count.length + 1, 0);

/** The tab under column `x` (1-based) of the tab bar, for a mouse click; undefined between tabs. */
export function tabAt(x: number, props: Pick<TabBarProps, 'unread' | 'mentions' | 'width'>): TabId | undefined {
  const labels = labelsOf(props.unread, props.mentions);
  let column = TITLE.length + tabsWidthOf(labels) <= props.width ? TITLE.length : 0;
  for (const label of labels) {
    const start = column + 2;
    column += 1 + label.text.length + label.count.length + 1;
    if (x >= start && x <= column) return label.id;
  }
  return undefined;
}

export function TabBar({tab, unread, mentions, width}: TabBarProps) {
  const color = usePalette();
  const labels = labelsOf(unread, mentions);
  const tabsWidth = tabsWidthOf(labels);
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
