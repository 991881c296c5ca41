/** The left column: the tab's conversation list, under the link table on the Realms tab. */
import {Box, Text} from 'ink';
import type {RealmStatus} from '../../../common/protocol/reply-shapes.js';
import type {ConversationView, TabId} from '../store/types.js';
import {ConversationList} from './conversation-list.js';
import {RealmLinks} from './realm-links.js';

export interface SidebarProps {
  readonly tab: TabId;
  readonly conversations: readonly ConversationView[];
  readonly selectedKey: string | undefined;
  readonly realm: string | undefined;
  readonly realmLinks: readonly RealmStatus[];
  readonly width: number;
  readonly height: number;
  readonly timeFormat?: '24h' | '12h';
}

const EMPTY_HINTS: Readonly<Record<TabId, string>> = {
  inbox: 'No conversations yet. /msg USER TEXT starts one.',
  groups: 'No groups yet. /join GROUP or /addgroup GROUP.',
  realms: 'No remote conversations. /msg user@realm TEXT starts one.',
};

/** Rows of the Realms tab's link table (and its rule) above the list; 0 on the other tabs. */
export function linkTableRows(tab: TabId, links: number, height: number): number {
  const rows = tab === 'realms' ? Math.min(Math.max(2, links + 1), Math.floor(height / 2)) : 0;
  return rows > 0 ? rows + 1 : 0;
}

export function Sidebar({tab, conversations, selectedKey, realm, realmLinks, width, height, timeFormat}: SidebarProps) {
  const linkRows = tab === 'realms' ? Math.min(Math.max(2, realmLinks.length + 1), Math.floor(height / 2)) : 0;
  const listHeight = height - (linkRows > 0 ? linkRows + 1 : 0);
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      {linkRows > 0 ? <RealmLinks realm={realm} links={realmLinks} width={width} height={linkRows} /> : null}
      {linkRows > 0 ? <Text dimColor wrap="truncate">{'─'.repeat(width)}</Text> : null}
      <ConversationList conversations={conversations} selectedKey={selectedKey} width={width} height={listHeight} emptyHint={EMPTY_HINTS[tab]} {...(timeFormat ? {timeFormat} : {})} />
    </Box>
  );
}
