/** The chat state the full-screen client renders: plain immutable data, replaced (never mutated) on every change. */
import type {ChatMessage, GroupSummary, RealmStatus, SearchHit} from '../../../common/protocol/reply-shapes.js';

/** The three tabs, in their order on screen (Alt+1/2/3). */
export const TABS = ['inbox', 'groups', 'realms'] as const;
export type TabId = (typeof TABS)[number];

/**
 * What a conversation is with: a local user (Inbox), a local group (Groups), a user of another realm or a group of
 * another realm (Realms).
 */
export type ConversationKind = 'direct' | 'group' | 'remote-user' | 'remote-group';

/** A message as shown: the daemon's, or one of ours still on its way (negative id until the daemon numbers it). */
export interface DisplayMessage extends ChatMessage {
  /** Sent by us, no reply yet. */
  pending?: boolean;
  /** Sent by us, and the daemon refused it or the connection dropped first. */
  failed?: boolean;
  /** Sent by us and accepted: the daemon's id, until a history page brings the daemon's copy. */
  sentId?: number;
}

/** One conversation as the screens show it (the history command's target of the same name is the protocol's `Conversation`). */
export interface ConversationView {
  /** Lower-cased `address`: the key of `ChatState.conversations`. */
  readonly key: string;
  /** The history command's address: `bob`, `group:devs`, `carol@beta`, `group:ops@beta`. */
  readonly address: string;
  readonly kind: ConversationKind;
  /** The user or group name, without realm. */
  readonly name: string;
  /** The other realm, for remote conversations. */
  readonly realm?: string;
  /** Oldest first; merged from history pages, the long poll and our own sends. */
  readonly messages: readonly DisplayMessage[];
  /** Messages that arrived while the conversation was not on screen. */
  readonly unread: number;
  /** ISO time of the newest message, shown in the list. */
  readonly lastTs: string | undefined;
  /** The daemon's id of the newest message known, for "newest activity first" (the daemon's order). */
  readonly lastId: number | undefined;
  /**
   * The newest message the daemon's counts (`conversations`) included: a live message up to it is counted already,
   * so the long poll does not count it again.
   */
  readonly countedTo?: number;
  /** Our read marker on the daemon (a message id, 0 for none); undefined while the daemon has not said. */
  readonly seen: number | undefined;
  /**
   * Where the unread part started when the conversation came on screen (the `seen` it had then, when it had unread
   * messages): the history shows a `── new ──` line before the first message after it.
   */
  readonly markerAfter?: number;
  /** A message the history pane should bring into view once it holds it (Alt+A: the marker; a search result). */
  readonly focus?: HistoryFocus;
  /** Whether the history command's newest page has been fetched. */
  readonly history: 'none' | 'loading' | 'loaded' | 'error';
  /** The daemon said older messages exist before the first one we hold. */
  readonly olderAvailable: boolean;
  /**
   * The daemon knows the conversation: it accepted a message in it, returned its history, brought a message of it,
   * or lists the group as one we are in. Only such conversations are listed (a mistyped /msg is not).
   */
  readonly exists: boolean;
  /** Hidden from the list with /close until a new message comes in it (for this session). */
  readonly closed: boolean;
  /** Of the unread messages: group messages that name us (`alice`, `@alice`, `alice:`). */
  readonly mentions: number;
}

/** A place in a conversation's history to bring into view, once (a new `seq` asks again). */
export interface HistoryFocus {
  /** `marker`: the `── new ──` line (it goes to the top of the pane); `found`: the message with `id` (highlighted). */
  readonly kind: 'marker' | 'found';
  readonly id: number;
  readonly seq: number;
}

/** The results of `/search`, shown over the conversation list and history until Esc or a jump. */
export interface SearchView {
  /** The words as typed. */
  readonly words: string;
  /** The conversation searched (`bob`, `group:devs`); undefined: all of them. */
  readonly conversation: string | undefined;
  readonly state: 'loading' | 'done' | 'error';
  /** Best match first. */
  readonly results: readonly SearchHit[];
  /** The daemon has more results than shown. */
  readonly more: boolean;
  /** The chosen result (↑/↓). */
  readonly selected: number;
}

/** The connection as the status bar shows it. */
export type ConnectionView =
  | {readonly kind: 'connecting'}
  | {readonly kind: 'connected'}
  /** `retryAt`: epoch ms of the next attempt. */
  | {readonly kind: 'reconnecting'; readonly retryAt: number; readonly reason: string}
  | {readonly kind: 'offline'; readonly reason?: string};

/** One line of feedback: a command's reply, an error, a hint. */
export interface StatusMessage {
  readonly text: string;
  readonly tone: 'info' | 'ok' | 'error';
  /** The conversation key the line is about: it goes when another conversation comes on screen. */
  readonly about?: string;
}

/** The login screen's state that lives in the store (the typed fields live in the form component). */
export interface LoginView {
  readonly mode: 'login' | 'register';
  /** Pre-filled server, `host:port`. */
  readonly server: string;
  /** Pre-filled username (the stored one). */
  readonly username: string;
  /** Why we are here (e.g. the stored session ended). */
  readonly notice: string | undefined;
  /** The daemon's refusal or a connection problem, shown under the form. */
  readonly error: string | undefined;
  /** The field the error is about (the form moves there): `User sudah ada` is about the username. */
  readonly errorField?: 'server' | 'username' | 'password';
  readonly busy: boolean;
}

/** The fields of the login screen's form. */
export interface LoginForm {
  readonly server: string;
  readonly username: string;
  readonly password: string;
}

/** The fields of the register form: the login fields, the full name and the country. */
export interface RegisterForm extends LoginForm {
  readonly fullName: string;
  readonly country: string;
}

export interface ChatState {
  readonly screen: 'login' | 'main';
  /** The daemon, `host:port`. */
  readonly server: string;
  readonly login: LoginView;
  /** The logged-in user. */
  readonly me: string | undefined;
  /** The daemon's realm. */
  readonly realm: string | undefined;
  readonly connection: ConnectionView;
  readonly tab: TabId;
  readonly conversations: Readonly<Record<string, ConversationView>>;
  /** The daemon has older conversations than the pages of `conversations` read so far (read as the list scrolls). */
  readonly moreConversations: boolean;
  /** The `/search` results on screen, if any. */
  readonly search: SearchView | undefined;
  /** The selected conversation key of each tab. */
  readonly selected: Readonly<Record<TabId, string | undefined>>;
  /** Every group of this realm (groups command). */
  readonly groups: readonly GroupSummary[];
  /** Linked realms (realms command). */
  readonly realmLinks: readonly RealmStatus[];
  /** Usernames seen (peers, info replies), for completion. */
  readonly knownUsers: readonly string[];
  readonly status: StatusMessage | undefined;
  readonly helpOpen: boolean;
  readonly bell: boolean;
  /** Desktop notifications (through the terminal) for direct messages and mentions. */
  readonly notifications: boolean;
  /** How times are shown. */
  readonly timeFormat: '24h' | '12h';
  /** Colours (the --no-color flag and NO_COLOR turn them off for the whole run). */
  readonly color: boolean;
  /** Mouse reporting: wheel scrolls the history, a click selects. */
  readonly mouse: boolean;
  /** Set once the user asked to quit; the app unmounts. */
  readonly quit: boolean;
}
