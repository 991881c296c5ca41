import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import type {Handler} from '../context.js';

/** realms: this realm and every linked realm with its link state and queued message count. */
export const realms: Handler = (_request, context) =>
  ok(OK_MESSAGES.realms, {realm: context.options.realm, realms: context.federation.list()});
