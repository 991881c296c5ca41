/** The bottom bar: who and where (`alice@alpha`, the daemon), the connection state, the bell, and the help hint. */
import {Box, Text} from 'ink';
import {useNow} from '../hooks/use-now.js';
import type {ConnectionView} from '../store/types.js';
import {usePalette} from '../theme.js';

export interface StatusBarProps {
  readonly me: string | undefined;
  readonly realm: string | undefined;
  readonly server: string;
  readonly connection: ConnectionView;
  readonly bell: boolean;
}

/** `connected`, `connecting…`, `reconnecting in 4s`, `offline`. */
export function connectionText(connection: ConnectionView, now: number): string {
  switch (connection.kind) {
    case 'connected': return 'connected';
    case 'connecting': return 'connecting…';
    case 'reconnecting': {
      const seconds = Math.max(0, Math.ceil((connection.retryAt - now) / 1000));
      return seconds === 0 ? 'reconnecting…' : `reconnecting in ${seconds}s`;
    }
    case 'offline': return 'offline';
  }
}

export function StatusBar({me, realm, server, connection, bell}: StatusBarProps) {
  const color = usePalette();
  const now = useNow(connection.kind === 'reconnecting');
  const stateColor = connection.kind === 'connected' ? color('green') : connection.kind === 'offline' ? color('red') : color('yellow');
  return (
    <Box height={1} flexShrink={0}>
      <Text wrap="truncate">
        <Text bold>{me ?? '?'}{realm ? `@${realm}` : ''}</Text>
        <Text dimColor>{' │ '}</Text>
        <Text>{server}</Text>
        <Text dimColor>{' │ '}</Text>
        <Text color={stateColor}>● {connectionText(connection, now)}</Text>
        <Text dimColor>{' │ '}</Text>
        <Text dimColor>{bell ? 'bell on' : 'bell off'}</Text>
        <Text dimColor>{' │ '}</Text>
        <Text>F1 or ? help · Ctrl+C quit</Text>
      </Text>
    </Box>
  );
}
