import type { Command } from 'commander';
import type { App } from '../app.js';
import { registerAccount } from './account.js';
import { registerApply } from './apply.js';
import { registerContext } from './context.js';
import { registerCreate } from './create.js';
import { registerDelete } from './delete.js';
import { registerDeploy } from './deploy.js';
import { registerDescribe } from './describe.js';
import { registerEvents } from './events.js';
import { registerFleet } from './fleet.js';
import { registerGet } from './get.js';
import { registerIam } from './iam.js';
import { registerLogin } from './login.js';
import { registerLogs } from './logs.js';
import { registerNode } from './node.js';
import { registerNodeAgent } from './node-agent.js';
import { registerRun } from './run.js';
import { registerServer } from './server.js';
import { registerUp } from './up.js';
import { registerSubnet } from './subnet.js';
import { registerWhoami } from './whoami.js';

/** Adds one noun's (or verb's) commands to the program. */
export type RegisterCommands = (program: Command, app: App) => void;

/**
 * Every command group, registered in this order. To add a noun, write one file that
 * exports a `RegisterCommands` and list it here; to add sub-commands to an existing
 * noun (e.g. `node join`), use `noun(program, 'node', ...)` from `./noun.ts`.
 */
export const COMMANDS: readonly RegisterCommands[] = [
  registerServer,
  registerUp,
  registerLogin,
  registerWhoami,
  registerContext,
  registerAccount,
  registerIam,
  registerFleet,
  registerSubnet,
  registerNode,
  registerNodeAgent,
  registerRun,
  registerDeploy,
  registerCreate,
  registerApply,
  registerGet,
  registerDescribe,
  registerLogs,
  registerDelete,
  registerEvents,
];
