/**
 * The main screen: tab bar, conversation list, history, status line, input line, status bar. Its one key handler
 * turns keys into store actions and line edits (input/keymap.ts); it reads the store and the line editor through
 * getters, never through render-time values, so fast typing loses nothing.
 */
import {useCallback, useEffect, useMemo, useRef, useState} from 'react';
import {Box, type Key} from 'ink';
import {completionSource, type CompletionData, type LocalPaths} from '../commands/completion.js';
import {historyLines, MARKER_KEY, messageLineKey} from '../format/history-lines.js';
import {useF1} from '../hooks/use-function-keys.js';
import {useKeys} from '../hooks/use-keys.js';
import {useLineEditor} from '../hooks/use-line-editor.js';
import type {MouseEvent} from '../input/key-chunks.js';
import {keyToCommand} from '../input/keymap.js';
import type {ChatStore} from '../store/chat-store.js';
import {conversationsOfTab, mentionsByTab, titleOf, unreadByTab} from '../store/conversations.js';
import type {ChatState, ConversationView} from '../store/types.js';
import {HelpOverlay, helpPageRows, helpRows} from './help-overlay.js';
import {HistoryPane, linesAfter, maxScroll, scrollToLine} from './history-pane.js';
import {InputLine} from './input-line.js';
import {listTop} from './conversation-list.js';
import {SearchResults} from './search-results.js';
import {newestHeldId} from '../store/read-markers.js';
import {linkTableRows, Sidebar} from './sidebar.js';
import {StatusBar} from './status-bar.js';
import {StatusLine} from './status-line.js';
import {TabBar, tabAt} from './tab-bar.js';

export interface MainScreenProps {
  readonly store: ChatStore;
  readonly state: ChatState;
  readonly width: number;
  readonly height: number;
}

/** Rows taken by the tab bar, status line, input line and status bar. */
const CHROME_ROWS = 4;

/** The list column's width for a terminal `width` columns wide. */
export function sidebarWidth(width: number): number {
  return width < 60 ? Math.max(10, Math.floor(width / 3)) : Math.min(30, Math.max(20, Math.floor(width * 0.28)));
}

/** The names Tab completes, from the store's state, and the local disk for `/file` and `/save`. */
export function completionData(state: ChatState, paths?: LocalPaths): CompletionData {
  const conversations = Object.values(state.conversations);
  return {
    users: state.knownUsers,
    remoteUsers: conversations.filter((conversation) => conversation.kind === 'remote-user').map((conversation) => conversation.address),
    myGroups: [...new Set([
      ...state.groups.filter((group) => group.member).map((group) => group.name),
      ...conversations.filter((conversation) => conversation.kind === 'group').map((conversation) => conversation.name),
    ])],
    allGroups: state.groups.map((group) => group.name),
    realms: state.realmLinks.map((link) => link.name),
    paths,
  };
}

function subtitleOf(conversation: ConversationView, state: ChatState): string {
  switch (conversation.kind) {
    case 'direct': return 'direct messages';
    case 'group': {
      const group = state.groups.find((entry) => entry.name.toLowerCase() === conversation.name.toLowerCase());
      return group && group.members > 0 ? `group, ${group.members} member${group.members === 1 ? '' : 's'}` : 'group';
    }
    case 'remote-user': return `user of realm ${conversation.realm}`;
    case 'remote-group': return `group of realm ${conversation.realm}`;
  }
}

/** Lines a line of input that holds a password must not be kept in the input history. */
const SECRET_LINE = /^\s*\/(auth|register)\b/i;

export function MainScreen({store, state, width, height}: MainScreenProps) {
  const editor = useLineEditor();
  const {current: currentLine, apply: edit} = editor;
  const bodyHeight = Math.max(3, height - CHROME_ROWS);
  const listWidth = sidebarWidth(width);
  // The history pane has a one-column border on its left and one column of padding.
  const paneWidth = Math.max(10, width - listWidth - 1);
  const historyRows = Math.max(1, bodyHeight - 1);

  const conversations = useMemo(() => conversationsOfTab(state, state.tab), [state]);
  const unread = useMemo(() => unreadByTab(state), [state]);
  const mentionCounts = useMemo(() => mentionsByTab(state), [state]);
  const selectedKey = state.selected[state.tab];
  const conversation = selectedKey ? state.conversations[selectedKey] : undefined;
  const messages = conversation?.messages;
  const markerAfter = conversation?.markerAfter;
  const focus = conversation?.focus;
  const olderAvailable = conversation?.olderAvailable ?? false;
  const found = focus?.kind === 'found' ? focus.id : undefined;
  const lines = useMemo(
    () => (messages ? historyLines(messages, {width: paneWidth - 1, me: state.me, realm: state.realm, timeFormat: state.timeFormat, markerAfter, found}) : []),
    [messages, paneWidth, state.me, state.realm, state.timeFormat, markerAfter, found],
  );

  // Scroll (lines above the bottom, counted from `anchor`, the newest line when it was set: lines that arrive later
  // add to it, so a scrolled-up view stays where it is) and the help's offset, mirrored for rendering.
  const [scrollState, setScroll] = useState<{lines: number; anchor: string | undefined}>({lines: 0, anchor: undefined});
  const scroll = scrollState.lines === 0 ? 0 : Math.min(scrollState.lines + linesAfter(lines, scrollState.anchor), maxScroll(lines.length, historyRows));
  const helpRef = useRef(0);
  const [helpOffset, setHelpOffset] = useState(0);
  const layout = useRef({
    lineCount: 0, rows: 1, key: undefined as string | undefined, olderAvailable: false, helpRows: 0, helpPage: 1,
    scroll: 0, newestLine: undefined as string | undefined,
  });
  // The scroll last asked for: a render of an older one (still under way when the ask came) must not overwrite it.
  const requested = useRef(scrollState);
  useEffect(() => {
    layout.current = {
      lineCount: lines.length, rows: historyRows, key: selectedKey, olderAvailable: conversation?.olderAvailable ?? false,
      helpRows: helpRows(Math.max(10, width - 4)).length, helpPage: helpPageRows(bodyHeight),
      scroll: scrollState === requested.current ? scroll : layout.current.scroll, newestLine: lines.at(-1)?.key,
    };
  });
  const setScrollTo = useCallback((value: number) => {
    // The handler may run again before the next render: what it reads must already be the new scroll.
    layout.current = {...layout.current, scroll: value};
    requested.current = {lines: value, anchor: layout.current.newestLine};
    setScroll(requested.current);
  }, []);
  const setHelpTo = useCallback((value: number) => {
    helpRef.current = value;
    setHelpOffset(value);
  }, []);
  // The help opens at its top, however it was opened (F1, ?, /help).
  useEffect(() => {
    if (state.helpOpen) setHelpTo(0);
  }, [state.helpOpen, setHelpTo]);
  // Another conversation on screen starts at its newest message.
  useEffect(() => {
    setScrollTo(0);
  }, [selectedKey, state.tab, setScrollTo]);
  // Alt+A lands on the `── new ──` line, a search result on its message: once each, as soon as the lines hold it.
  const focused = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (!focus || focused.current === focus.seq) return;
    // The marker's place is known once the held stretch reaches back to it (history.reveal loads the pages).
    const oldest = messages?.find((message) => message.id > 0)?.id;
    if (focus.kind === 'marker' && oldest !== undefined && oldest > focus.id && olderAvailable) return;
    const target = focus.kind === 'marker'
      ? scrollToLine(lines, MARKER_KEY, historyRows, 'top')
      : scrollToLine(lines, messageLineKey(focus.id), historyRows, 'middle');
    if (target === undefined) return;
    focused.current = focus.seq;
    setScrollTo(target);
  }, [focus, lines, messages, olderAvailable, historyRows, setScrollTo]);
  // The bottom of the conversation is on screen: the daemon's read marker follows (the store sends each id once).
  const newestId = conversation ? newestHeldId(conversation) : undefined;
  const bottomShown = scroll === 0 && !state.helpOpen && state.search === undefined && conversation?.history === 'loaded';
  useEffect(() => {
    // Not while a focus is still to be applied, nor when the focus just scrolled away from the bottom (this commit).
    const focusPending = focus !== undefined && focused.current !== focus.seq;
    if (!bottomShown || focusPending || layout.current.scroll !== 0 || selectedKey === undefined || newestId === undefined) return;
    void store.bottomShown(selectedKey);
  }, [store, bottomShown, selectedKey, newestId, focus]);

  const handleInput = useCallback((input: string, key: Key) => {
    const current = store.getState();
    const line = currentLine();
    const command = keyToCommand(input, key, {
      inputEmpty: line.value === '', recalling: line.recall !== undefined, helpOpen: current.helpOpen, searchOpen: current.search !== undefined,
    });
    switch (command.type) {
      case 'none': return;
      case 'searchMove': store.moveSearch(command.delta); return;
      case 'searchOpen': store.openSearchResult(); return;
      case 'closeSearch': store.closeSearch(); return;
      case 'quit': store.quit(); return;
      case 'openHelp':
        setHelpTo(0);
        store.openHelp();
        return;
      case 'closeHelp': store.closeHelp(); return;
      case 'helpScroll': {
        const {helpRows: total, helpPage} = layout.current;
        const step = command.page ? Math.max(1, helpPage - 1) : 1;
        setHelpTo(Math.min(Math.max(0, total - helpPage), Math.max(0, helpRef.current + command.lines * step)));
        return;
      }
      case 'tab': store.selectTab(command.tab); return;
      case 'cycleTab': store.cycleTab(command.delta); return;
      case 'select': store.moveSelection(command.delta); return;
      case 'nextUnread': store.jumpToUnread(); return;
      case 'scroll': {
        const {lineCount, rows, key: visible, olderAvailable, scroll: current} = layout.current;
        const top = maxScroll(lineCount, rows);
        const next = Math.min(top, Math.max(0, current + command.pages * Math.max(1, rows - 1)));
        // The user scrolls: a focus not applied yet (its message out of reach) gives way.
        if (visible) focused.current = store.getState().conversations[visible]?.focus?.seq;
        setScrollTo(next);
        if (command.pages > 0 && next === top && olderAvailable && visible) store.loadOlder(visible);
        return;
      }
      case 'complete':
        edit({type: 'complete', source: completionSource(completionData(current, store.localPaths))});
        return;
      case 'submit': {
        const text = line.value;
        if (text.trim() === '') return;
        edit({type: 'submit', remember: !SECRET_LINE.test(text)});
        setScrollTo(0);
        void store.submit(text);
        return;
      }
      case 'edit': edit(command.action); return;
    }
  }, [store, currentLine, edit, setScrollTo, setHelpTo]);

  // The mouse (issue 12, point 13): the wheel scrolls the history three lines, a click picks a tab or a conversation.
  const handleMouse = useCallback((event: MouseEvent) => {
    const current = store.getState();
    if (!current.mouse || current.helpOpen) return;
    if (event.kind === 'wheel-up' || event.kind === 'wheel-down') {
      const {lineCount, rows, key: visible, olderAvailable, scroll: now} = layout.current;
      const top = maxScroll(lineCount, rows);
      const next = Math.min(top, Math.max(0, now + (event.kind === 'wheel-up' ? 3 : -3)));
      if (visible) focused.current = current.conversations[visible]?.focus?.seq;
      setScrollTo(next);
      if (event.kind === 'wheel-up' && next === top && olderAvailable && visible) store.loadOlder(visible);
      return;
    }
    if (event.kind !== 'click') return;
    if (event.y === 1) {
      const tab = tabAt(event.x, {unread: unreadByTab(current), mentions: mentionsByTab(current), width});
      if (tab) store.selectTab(tab);
      return;
    }
    const listRow = event.y - 2 - linkTableRows(current.tab, current.realmLinks.length, bodyHeight);
    if (event.x > listWidth || listRow < 0 || event.y - 2 >= bodyHeight) return;
    const list = conversationsOfTab(current, current.tab);
    const picked = list[listTop(list, current.selected[current.tab], bodyHeight - linkTableRows(current.tab, current.realmLinks.length, bodyHeight)) + listRow];
    if (picked) store.select(picked.key);
  }, [store, setScrollTo, width, listWidth, bodyHeight]);

  useKeys(handleInput, handleMouse);
  useF1(useCallback(() => {
    if (store.getState().helpOpen) {
      store.closeHelp();
    } else {
      setHelpTo(0);
      store.openHelp();
    }
  }, [store, setHelpTo]));

  return (
    <Box flexDirection="column" width={width} height={height}>
      <TabBar tab={state.tab} unread={unread} mentions={mentionCounts} width={width} />
      <Box height={bodyHeight} flexDirection="row" flexShrink={0}>
        {state.helpOpen ? <HelpOverlay width={width} height={bodyHeight} offset={helpOffset} /> : state.search ? (
          <SearchResults search={state.search} realm={state.realm} width={width} height={bodyHeight} timeFormat={state.timeFormat} />
        ) : (
          <>
            <Sidebar tab={state.tab} conversations={conversations} selectedKey={selectedKey} realm={state.realm}
              realmLinks={state.realmLinks} width={listWidth} height={bodyHeight} timeFormat={state.timeFormat} />
            <Box borderStyle="single" borderTop={false} borderBottom={false} borderRight={false} borderDimColor
              width={paneWidth + 1} height={bodyHeight}>
              <HistoryPane title={conversation ? titleOf(conversation) : undefined}
                subtitle={conversation ? subtitleOf(conversation, state) : undefined} lines={lines} width={paneWidth}
                height={bodyHeight} scroll={scroll}
                loading={conversation?.history === 'loading'} olderAvailable={conversation?.olderAvailable ?? false} />
            </Box>
          </>
        )}
      </Box>
      <StatusLine status={state.status} />
      <InputLine editor={editor.state} width={width} target={conversation ? titleOf(conversation) : undefined} />
      <StatusBar me={state.me} realm={state.realm} server={state.server} connection={state.connection} bell={state.bell} />
    </Box>
  );
}
