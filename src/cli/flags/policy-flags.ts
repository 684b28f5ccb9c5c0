import type { Command } from 'commander';
import { RUNTIME_POLICY_FIELDS } from '../../api/subnet.js';
import { collect } from '../commands/noun.js';

/** The runtime-policy flags of `subnet create` and `subnet edit`, as commander parses them. */
export interface PolicyFlags {
  readonly allowedIsolationClass?: readonly string[];
  readonly defaultIsolationClass?: string;
  readonly requireIsolationClass?: boolean;
  readonly allowedVmmBackend?: readonly string[];
  readonly allowMicrovmGpu?: boolean;
  /** `subnet edit` only. */
  readonly clearRuntimePolicy?: boolean;
}

/** A policy body as sent; values as the user wrote them (the server validates and explains). */
export type PolicyBody = Record<string, string | boolean | readonly string[] | null>;

/** Adds the policy flags to `cmd`; `edit` adds `--clear-runtime-policy` too. */
export function addPolicyFlags(cmd: Command, edit: boolean): Command {
  cmd
    .option('--allowed-isolation-class <class[,class]>', 'classes the subnet accepts (repeatable or comma list)', collect)
    .option('--default-isolation-class <class>', 'class for workloads that state none')
    .option('--require-isolation-class', 'every workload must state its class')
    .option('--no-require-isolation-class', 'workloads may omit their class')
    .option('--allowed-vmm-backend <backend[,backend]>', 'microvm backends whose nodes are eligible (repeatable or comma list)', collect)
    .option('--allow-microvm-gpu', 'the operator validated a microVM GPU path for this subnet')
    .option('--no-allow-microvm-gpu', 'no microVM GPU path');
  if (edit) cmd.option('--clear-runtime-policy', 'remove the policy; with other policy flags, they become the whole new policy');
  return cmd;
}

/** `a,b` and repeated flags → one list, blanks dropped (an empty value gives an empty list). */
export function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** The fields the flags set, by their JSON names; only given flags appear. */
function givenFields(f: PolicyFlags): PolicyBody {
  const out: PolicyBody = {};
  if (f.allowedIsolationClass !== undefined) out.allowedIsolationClasses = splitList(f.allowedIsolationClass);
  if (f.defaultIsolationClass !== undefined) out.defaultIsolationClass = f.defaultIsolationClass;
  if (f.requireIsolationClass !== undefined) out.requireExplicitIsolationClass = f.requireIsolationClass;
  if (f.allowedVmmBackend !== undefined) out.allowedVMMBackends = splitList(f.allowedVmmBackend);
  if (f.allowMicrovmGpu !== undefined) out.microvmGPU = f.allowMicrovmGpu;
  return out;
}

/** The `runtimePolicy` of `subnet create`, or undefined when no policy flag was given. */
export function policyForCreate(f: PolicyFlags): PolicyBody | undefined {
  const fields = givenFields(f);
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/**
 * The JSON merge patch of `subnet edit`: each given flag replaces its field.
 * `--clear-runtime-policy` alone removes the policy (`runtimePolicy: null`); with other
 * flags, every field they do not set is removed, so they become the whole policy.
 * Undefined when nothing would change.
 */
export function policyPatchForEdit(f: PolicyFlags): { runtimePolicy: PolicyBody | null } | undefined {
  const fields = givenFields(f);
  const given = Object.keys(fields).length > 0;
  if (f.clearRuntimePolicy) {
    if (!given) return { runtimePolicy: null };
    const cleared: PolicyBody = Object.fromEntries(RUNTIME_POLICY_FIELDS.map((k) => [k, null]));
    return { runtimePolicy: { ...cleared, ...fields } };
  }
  return given ? { runtimePolicy: fields } : undefined;
}
