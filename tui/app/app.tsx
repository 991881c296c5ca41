/**
 * The root component: the login screen or the main screen, sized to the terminal (one row less than its height,
 * so Ink redraws only changed lines instead of clearing the screen on every frame).
 */
import {useEffect, useMemo} from 'react';
import {Box, useApp} from 'ink';
import {LoginScreen} from './components/login-screen.js';
import {MainScreen} from './components/main-screen.js';
import {useStore} from './hooks/use-store.js';
import {useWindowSize} from './hooks/use-window-size.js';
import type {ChatStore} from './store/chat-store.js';
import {ThemeContext} from './theme.js';

export interface AppProps {
  readonly store: ChatStore;
  /** Use colours. @default true */
  readonly color?: boolean;
}

/** Smallest layout the screens are designed for. */
const MIN = {columns: 40, rows: 12};

export function App({store, color = true}: AppProps) {
  const state = useStore(store);
  const {exit} = useApp();
  const size = useWindowSize();
  const theme = useMemo(() => ({color: color && state.color}), [color, state.color]);
  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);
  const width = Math.max(MIN.columns, size.columns);
  const height = Math.max(MIN.rows, size.rows) - 1;
  return (
    <ThemeContext.Provider value={theme}>
      <Box width={width} height={height} flexDirection="column">
        {state.screen === 'login'
          ? <LoginScreen store={store} login={state.login} width={width} height={height} />
          : <MainScreen store={store} state={state} width={width} height={height} />}
      </Box>
    </ThemeContext.Provider>
  );
}
