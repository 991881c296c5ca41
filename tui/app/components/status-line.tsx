/** One line of feedback above the input: the reply to the last command, an error, or a hint. */
import {Box, Text} from 'ink';
import type {StatusMessage} from '../store/types.js';
import {usePalette} from '../theme.js';

export function StatusLine({status}: {readonly status: StatusMessage | undefined}) {
  const color = usePalette();
  const tone = status?.tone === 'error' ? color('red') : status?.tone === 'ok' ? color('green') : undefined;
  return (
    <Box height={1} flexShrink={0}>
      <Text wrap="truncate" color={tone} dimColor={status?.tone === 'info'}>{status ? `-- ${status.text}` : ' '}</Text>
    </Box>
  );
}
