/** The page a listing command asks for (`[limit] [after]`): shared by groups, getusers and getgroups. */
import type {ParsedRequest} from '../../common/protocol/request.js';
import type {DaemonOptions} from '../context.js';
import type {GroupPage} from '../store/types.js';

/** The requested page, with one row more than the reply holds: its presence tells whether more follow. */
export function requestedPage(request: ParsedRequest, options: DaemonOptions): GroupPage & {shown: number} {
  const shown = Math.min(Math.max(Number(request.params.limit ?? options.groupsDefaultLimit), 1), options.groupsMaxLimit);
  return {limit: shown + 1, shown, after: (request.params.after as string | undefined) ?? ''};
}
