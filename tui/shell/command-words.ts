/** Every command word realmchat accepts: the protocol's and the shell's own. */
import {COMMANDS} from '../../common/protocol/commands.js';
import {SHELL_COMMANDS} from './help.js';

export const COMMAND_WORDS: readonly string[] = [...COMMANDS.map((spec) => spec.name), ...SHELL_COMMANDS.map((spec) => spec.name)];
