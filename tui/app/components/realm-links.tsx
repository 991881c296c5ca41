/** The Realms tab's link table: each linked realm, its link state and how many messages wait for it. */
import {Box, Text} from 'ink';
import type {RealmStatus} from '../../../common/protocol/reply-shapes.js';
import {padEnd} from '../format/wrap.js';
import {usePalette} from '../theme.js';

export interface RealmLinksProps {
  readonly realm: string | undefined;
  readonly links: readonly RealmStatus[];
  readonly width: number;
  /** Most rows to use (the title included). */
  readonly height: number;
}

export function RealmLinks({realm, links, width, height}: RealmLinksProps) {
  const color = usePalette();
  if (height <= 0) return null;
  const rows = links.slice(0, Math.max(0, height - 1));
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <Text bold wrap="truncate">Links of {realm ?? 'this realm'}</Text>
      {links.length === 0 ? <Text dimColor wrap="truncate">none · /addrealm NAME HOST PORT</Text> : null}
      {rows.map((link) => {
        const stateColor = link.state === 'ready' ? color('green') : link.state === 'closed' ? color('red') : color('yellow');
        return (
          <Text key={link.name} wrap="truncate">
            {padEnd(link.name, Math.max(4, width - 16))}
            <Text color={stateColor}>{` ${padEnd(link.state, 10)}`}</Text>
            {link.queued > 0 ? <Text color={color('yellow')}>{` q${link.queued}`}</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
