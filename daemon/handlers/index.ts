/** The handler of each command, by name. The router (../router.ts) is the only caller. */
import type {Handler} from '../context.js';
import {addgroup} from './addgroup.js';
import {addrealm} from './addrealm.js';
import {auth} from './auth.js';
import {conversations} from './conversations.js';
import {getfile} from './getfile.js';
import {getgroups} from './getgroups.js';
import {getrealminbox} from './getrealminbox.js';
import {getusers} from './getusers.js';
import {groups} from './groups.js';
import {history} from './history.js';
import {inbox} from './inbox.js';
import {info} from './info.js';
import {joingroup} from './joingroup.js';
import {logout} from './logout.js';
import {privateinbox} from './privateinbox.js';
import {realms} from './realms.js';
import {register} from './register.js';
import {removerealm} from './removerealm.js';
import {search} from './search.js';
import {seen} from './seen.js';
import {send} from './send.js';
import {sendfile} from './sendfile.js';
import {sendgroup} from './sendgroup.js';
import {sendgroupfile} from './sendgroupfile.js';
import {sendgrouprealm} from './sendgrouprealm.js';
import {sendprivaterealm} from './sendprivaterealm.js';

export const HANDLERS: Readonly<Record<string, Handler>> = {
  auth, register, addgroup, joingroup, send, sendgroup, inbox, logout, info,
  addrealm, sendprivaterealm, sendgrouprealm, getrealminbox, groups, history, realms, removerealm,
  getusers, getgroups, privateinbox, sendfile, sendgroupfile, getfile, conversations, seen, search,
};
