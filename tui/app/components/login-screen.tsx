/**
 * The login screen: server, username and password (masked), or with Ctrl+R the register form (plus full name and
 * country). The daemon's refusals (`Password Salah`, `User sudah ada`) show under the form. Field edits use the
 * same line editor as the main input; the form lives in a ref so fast typing loses nothing.
 */
import {useCallback, useRef, useState} from 'react';
import {Box, Text, type Key} from 'ink';
import {useKeys} from '../hooks/use-keys.js';
import {editAction} from '../input/keymap.js';
import {emptyEditor, lineEditorReducer, type LineEditorState} from '../input/line-editor.js';
import type {ChatStore} from '../store/chat-store.js';
import type {LoginView} from '../store/types.js';
import {usePalette} from '../theme.js';
import {TextField} from './text-field.js';

export type LoginField = 'server' | 'username' | 'password' | 'fullName' | 'country';

const FIELDS: Readonly<Record<LoginView['mode'], readonly LoginField[]>> = {
  login: ['server', 'username', 'password'],
  register: ['server', 'username', 'password', 'fullName', 'country'],
};

const LABELS: Readonly<Record<LoginField, string>> = {
  server: 'Server', username: 'Username', password: 'Password', fullName: 'Full name', country: 'Country',
};

interface FormState {
  readonly focus: LoginField;
  readonly fields: Readonly<Record<LoginField, LineEditorState>>;
}

const filled = (value: string): LineEditorState => ({...emptyEditor, value, cursor: value.length});

function initialForm(login: LoginView): FormState {
  return {
    focus: login.username === '' ? 'username' : 'password',
    fields: {server: filled(login.server), username: filled(login.username), password: emptyEditor, fullName: emptyEditor, country: emptyEditor},
  };
}

export interface LoginScreenProps {
  readonly store: ChatStore;
  readonly login: LoginView;
  readonly width: number;
  readonly height: number;
}

export function LoginScreen({store, login, width, height}: LoginScreenProps) {
  const color = usePalette();
  const formRef = useRef<FormState | undefined>(undefined);
  const [form, setForm] = useState(() => {
    formRef.current = initialForm(login);
    return formRef.current;
  });
  const update = useCallback((change: (state: FormState) => FormState) => {
    const next = change(formRef.current!);
    formRef.current = next;
    setForm(next);
  }, []);

  const handleInput = useCallback((input: string, key: Key) => {
    const state = formRef.current!;
    const {mode, busy} = store.getState().login;
    const fields = FIELDS[mode];
    const index = Math.max(0, fields.indexOf(state.focus));
    const moveTo = (next: number) => update((current) => ({...current, focus: fields[(next + fields.length) % fields.length]!}));
    if (key.ctrl && input === 'c') {
      store.quit();
      return;
    }
    if (key.ctrl && input === 'r') {
      const nextMode = mode === 'login' ? 'register' : 'login';
      store.setLoginMode(nextMode);
      if (!FIELDS[nextMode].includes(state.focus)) moveTo(FIELDS[nextMode].length - 1);
      return;
    }
    if (key.tab || key.downArrow) {
      moveTo(index + (key.shift ? -1 : 1));
      return;
    }
    if (key.upArrow) {
      moveTo(index - 1);
      return;
    }
    if (key.escape) {
      update((current) => ({...current, fields: {...current.fields, [current.focus]: emptyEditor}}));
      return;
    }
    if (key.return) {
      if (index < fields.length - 1) {
        moveTo(index + 1);
        return;
      }
      if (busy) return;
      const value = (field: LoginField) => state.fields[field].value;
      const base = {server: value('server'), username: value('username'), password: value('password')};
      // The password is not kept on screen after an attempt.
      update((current) => ({...current, fields: {...current.fields, password: emptyEditor}, focus: 'password'}));
      const attempt = mode === 'register' ? store.register({...base, fullName: value('fullName'), country: value('country')}) : store.login(base);
      // A refusal about the username (`User sudah ada`, `User Tidak Ada`) or the server takes the focus there.
      void attempt.then((ok) => {
        const field = store.getState().login.errorField;
        if (!ok && field !== undefined) update((current) => ({...current, focus: field}));
      });
      return;
    }
    const action = editAction(input, key);
    if (action) update((current) => ({...current, fields: {...current.fields, [current.focus]: lineEditorReducer(current.fields[current.focus], action)}}));
  }, [store, update]);

  useKeys(handleInput);

  const fields = FIELDS[login.mode];
  // On a short terminal (down to 12 rows) the form drops its blank lines and its hint gets shorter, so that it fits.
  const compact = height < 20;
  const boxWidth = Math.min(width - 2, 64);
  // The focus mark and a space, the longest label, and a space before the field.
  const labelWidth = 2 + Math.max(...Object.values(LABELS).map((label) => label.length)) + 1;
  const fieldWidth = Math.max(8, boxWidth - labelWidth - 4);
  return (
    <Box flexDirection="column" width={width} height={height} alignItems="center" justifyContent={compact ? 'flex-start' : 'center'}
      overflow="hidden">
      {/* Never squeezed (rows would be drawn over each other): what does not fit is cut at the bottom. */}
      <Box flexDirection="column" width={boxWidth} borderStyle="round" paddingX={1} flexShrink={0}>
        <Text bold color={color('cyan')}>realmchat · {login.mode === 'login' ? 'log in' : 'create an account'}</Text>
        {login.notice ? <Text color={color('yellow')} wrap="wrap">{login.notice}</Text> : null}
        {compact ? null : <Text> </Text>}
        {fields.map((field) => (
          <Box key={field}>
            <Text bold={form.focus === field}>{`${form.focus === field ? '›' : ' '} ${LABELS[field]}`.padEnd(labelWidth)}</Text>
            <Box width={fieldWidth}>
              <TextField editor={form.fields[field]} width={fieldWidth} focused={form.focus === field} mask={field === 'password'}
                placeholder={field === 'fullName' ? 'e.g. Alice Liddell' : field === 'country' ? 'e.g. indonesia' : undefined} />
            </Box>
          </Box>
        ))}
        {compact ? null : <Text> </Text>}
        {login.busy ? <Text color={color('yellow')}>{login.mode === 'login' ? 'Logging in…' : 'Creating the account…'}</Text> : null}
        {login.error ? <Text color={color('red')} wrap="wrap">✗ {login.error}</Text> : null}
        <Text dimColor wrap="wrap">
          {compact
            ? `Tab next · Enter ${login.mode === 'login' ? 'log in' : 'register'} · Ctrl+R ${login.mode === 'login' ? 'register' : 'log in'} · Ctrl+C quit`
            : `Tab/↓ next field · Enter ${login.mode === 'login' ? 'log in' : 'register'} · Ctrl+R ${login.mode === 'login' ? 'create an account instead' : 'log in instead'} · Ctrl+C quit`}
        </Text>
      </Box>
    </Box>
  );
}
