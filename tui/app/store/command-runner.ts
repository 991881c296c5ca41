/**
 * Runs the input line: text for the conversation on screen, the client's own commands (`/msg`, `/bell`, `/help`,
 * `/quit`), and any protocol command typed with a slash, sent through ChatClient.request (so built by buildRequest)
 * and followed by what its reply changes on screen.
 */
import {formatServerAddress} from '../../../common/client/address.js';
import {buildRequestLine} from '../../../common/client/request-line.js';
import {messagesOf, userOf} from '../../../common/protocol/reply-shapes.js';
import {errorCodeOf, type Reply} from '../../../common/protocol/replies.js';
import {RequestUsageError} from '../../../common/protocol/request.js';
import {parseInput, slashUsage} from '../commands/slash-commands.js';
import type {Connections} from './connections.js';
import type {FileTransfers} from './file-transfers.js';
import type {ConversationEntries} from './conversation-entries.js';
import {explainRefusal} from '../../shared/refusals.js';
import {keyOf, parseAddress, titleOf, type ConversationRef} from './conversations.js';
import type {Messages} from './messages.js';
import type {Search} from './search.js';
import {describeConnectionError, isConnectionProblem, isSessionGone, withoutUsage} from './request-errors.js';
import type {Selection} from './selection.js';
import type {ServerSync} from './server-sync.js';
import type {SessionEpoch} from './session-epoch.js';
import type {SessionLifecycle} from './session-lifecycle.js';
import type {UserSettings} from './settings.js';
import type {StoreState} from './store-state.js';
import {groupsSummary, newMessagesSummary, realmsSummary} from './summaries.js';

/** A group name as typed, without a `group:` or `#` prefix. */
const bareGroup = (name: string) => name.replace(/^(group:|#)/, '');

/** The parts a typed line may use. */
export interface CommandParts {
  readonly state: StoreState;
  readonly connections: Connections;
  readonly epoch: SessionEpoch;
  readonly session: SessionLifecycle;
  readonly selection: Selection;
  readonly entries: ConversationEntries;
  readonly messages: Messages;
  readonly sync: ServerSync;
  readonly settings: UserSettings;
  readonly files: FileTransfers;
  readonly search: Search;
}

/** Executes input lines and slash commands: the top of the store's parts (nothing below calls it). */
export class CommandRunner {
  constructor(private readonly parts: CommandParts) {}

  /** Runs one line of the input: text for the conversation on screen, or a command (only on the main screen). */
  async submit(line: string): Promise<void> {
    const {state, selection, entries, session, messages} = this.parts;
    if (state.current.screen !== 'main') return;
    const action = parseInput(line);
    switch (action.kind) {
      case 'none': return;
      case 'text': {
        const key = state.visibleKey();
        const conversation = key ? state.current.conversations[key] : undefined;
        if (!conversation) {
          state.setStatus('No conversation selected: pick one with ↑/↓, or start one with /msg USER TEXT', 'error');
          return;
        }
        await messages.send(conversation, action.text);
        return;
      }
      case 'msg': {
        const ref = parseAddress(action.target, state.current.realm);
        if (!ref) {
          state.setStatus(`/msg: "${action.target}" is not a user (bob), a remote user (carol@beta) or a group (#devs)`, 'error');
          return;
        }
        selection.select(entries.ensure(ref));
        if (action.text !== undefined) await messages.send(ref, action.text);
        return;
      }
      case 'help': selection.openHelp(); return;
      case 'quit': session.quit(); return;
      case 'bell': {
        this.parts.settings.change('bell', action.on ?? !state.current.bell);
        return;
      }
      case 'usage': state.setStatus(action.message, 'error'); return;
      case 'unknown': state.setStatus(`Unknown command /${action.word} (/help lists the commands)`, 'error'); return;
      case 'protocol': await this.#runProtocol(action.command, action.args, action.typed ?? action.command); return;
      case 'close': this.#close(action.target); return;
      case 'set': this.parts.settings.run(action.name, action.value); return;
      case 'file': await this.parts.files.send(action.path); return;
      case 'save': await this.parts.files.save(action.index, action.dir); return;
      case 'search': await this.parts.search.run(action.words, action.target); return;
    }
  }

  /** /close: hides the conversation on screen (or the one named) from the list until it has new messages. */
  #close(target: string | undefined): void {
    const {state, entries, selection} = this.parts;
    const ref = target === undefined ? undefined : parseAddress(target, state.current.realm);
    if (target !== undefined && !ref) {
      state.setStatus(`/close: "${target}" is not a user (bob), a remote user (carol@beta) or a group (#devs)`, 'error');
      return;
    }
    const key = ref ? keyOf(ref) : state.visibleKey();
    const conversation = key === undefined ? undefined : state.current.conversations[key];
    if (!conversation || !entries.close(conversation.key)) {
      state.setStatus(target === undefined ? '/close: no conversation on screen' : `/close: no conversation with ${target}`, 'error');
      return;
    }
    selection.selectFirstIfNone(state.current.tab);
    state.setStatus(`Closed ${titleOf(conversation)}: it comes back with its next message (or /msg ${titleOf(conversation)})`, 'ok');
  }

  /** A protocol command typed with a slash: sent through ChatClient.request (so built by buildRequest). */
  async #runProtocol(command: string, args: readonly string[], typed: string): Promise<void> {
    const {state, epoch, session, connections, selection, entries, messages} = this.parts;
    try {
      buildRequestLine(command, args);
    } catch (error) {
      if (!(error instanceof RequestUsageError)) throw error;
      state.setStatus(`${withoutUsage(error.message)}; usage: ${slashUsage(typed)}`, 'error');
      return;
    }
    const server = formatServerAddress(connections.server);
    switch (command) {
      case 'auth':
        await session.login({server, username: args[0]!, password: args[1]!});
        return;
      case 'register': {
        const words = args.slice(2);
        await session.register({server, username: args[0]!, password: args[1]!, fullName: words.slice(0, -1).join(' '), country: words.at(-1)!});
        return;
      }
      case 'logout':
        await session.logout();
        return;
      case 'history': {
        const ref = parseAddress(args[0]!, state.current.realm);
        if (ref) selection.select(entries.ensure(ref));
        return;
      }
    }
    const target = this.#sendTarget(command, args);
    if (target) {
      const reply = await messages.send(target, args.at(-1)!, {command, args});
      if (reply?.status === 'OK') state.setStatus(`${reply.message} (${titleOf(target)})`, 'ok');
      return;
    }
    let reply: Reply;
    const generation = epoch.current;
    try {
      reply = await connections.main.request(command, args);
    } catch (error) {
      if (isConnectionProblem(error)) {
        state.setStatus(`/${command}: ${describeConnectionError(error, state.current.server)}`, 'error');
        return;
      }
      if (error instanceof RequestUsageError) {
        state.setStatus(error.message, 'error');
        return;
      }
      throw error;
    }
    if (generation !== epoch.current) return;
    if (reply.status !== 'OK') {
      if (isSessionGone(reply)) return session.ended();
      const code = errorCodeOf(reply);
      const usage = code === 'MISSING_PARAMETER' || code === 'BAD_PARAMETER' ? `; usage: ${slashUsage(typed)}` : '';
      state.setStatus(`${explainRefusal(reply)}${usage}`, 'error');
      // Joining a group one is already in: open it anyway.
      if (code === 'ALREADY_MEMBER') selection.select(entries.ensure({kind: 'group', name: bareGroup(args[0]!)}));
      return;
    }
    this.#afterOk(command, args, reply);
  }

  /** The conversation a send command goes to; undefined for other commands (and user lists like `u1,u2`). */
  #sendTarget(command: string, args: readonly string[]): ConversationRef | undefined {
    const realm = this.parts.state.current.realm;
    switch (command) {
      case 'send': return parseAddress(args[0]!, realm);
      case 'sendgroup': return parseAddress(`group:${bareGroup(args[0]!)}`, realm);
      case 'sendprivaterealm': return parseAddress(`${args[1]!}@${args[0]!}`, realm);
      case 'sendgrouprealm': return args[1]!.includes(',') ? undefined : parseAddress(`group:${bareGroup(args[1]!)}@${args[0]!}`, realm);
      default: return undefined;
    }
  }

  /** What an OK reply of a typed command changes on screen. */
  #afterOk(command: string, args: readonly string[], reply: Reply): void {
    const {state, selection, entries, messages, sync} = this.parts;
    switch (command) {
      case 'inbox':
      case 'getrealminbox': {
        const received = messagesOf(reply);
        messages.ingest(received);
        state.setStatus(newMessagesSummary(received.length), 'ok');
        return;
      }
      case 'addgroup':
      case 'joingroup': {
        const name = typeof reply.group === 'string' ? reply.group : args[0]!;
        state.set((current) => {
          const known = current.groups.find((group) => group.name.toLowerCase() === name.toLowerCase());
          // Until the groups reload: the creator is the only member; a joiner is one more.
          const members = command === 'addgroup' ? 1 : known ? known.members + 1 : 0;
          return {groups: [...current.groups.filter((group) => group !== known), {name, members, member: true}]};
        });
        selection.select(entries.ensure({kind: 'group', name}));
        state.setStatus(reply.message, 'ok');
        void sync.reloadGroups();
        return;
      }
      case 'groups': {
        sync.applyGroups(reply);
        state.setStatus(groupsSummary(state.current.groups), 'ok');
        return;
      }
      case 'realms': {
        sync.applyRealms(reply);
        state.setStatus(realmsSummary(state.current.realm, state.current.realmLinks), 'ok');
        return;
      }
      case 'addrealm':
        state.setStatus(reply.message, 'ok');
        void sync.reloadRealms();
        return;
      case 'info': {
        const profile = userOf(reply);
        if (profile) state.rememberUser(profile.username);
        state.setStatus(reply.message, 'ok');
        return;
      }
      default:
        state.setStatus(reply.message, 'ok');
    }
  }
}
