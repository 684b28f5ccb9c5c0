import { ISOLATION_CLASSES, type IsolationClass } from '../api/isolation.js';

/** What to tell a person who typed a value that is not an isolation class. */
export interface ClassHint {
  /** The class they most likely meant, if one stands out. */
  readonly suggestion?: IsolationClass;
  /** A sentence they can act on. */
  readonly hint: string;
}

const BACKEND_TAIL = "the subnet's --allowed-vmm-backend picks backends";

function backend(name: string): ClassHint {
  return {
    suggestion: 'microvm',
    hint: `\`${name}\` is a VMM backend, not an isolation class: ask for --isolation-class microvm; ${BACKEND_TAIL}`,
  };
}

function profile(name: string, cls: IsolationClass): ClassHint {
  const tail = cls === 'microvm' ? `; ${BACKEND_TAIL}` : '';
  return {
    suggestion: cls,
    hint: `\`${name}\` is a node runtime profile, not an isolation class: ask for --isolation-class ${cls}${tail}`,
  };
}

function runtime(name: string, cls: IsolationClass): ClassHint {
  const tail = cls === 'microvm' ? `; ${BACKEND_TAIL}` : '; idyl names the runtime itself';
  return {
    suggestion: cls,
    hint: `\`${name}\` is a runtime, not an isolation class: ask for --isolation-class ${cls}${tail}`,
  };
}

function word(name: string, cls: IsolationClass): ClassHint {
  return { suggestion: cls, hint: `\`${name}\` is not an isolation class: did you mean --isolation-class ${cls}?` };
}

/** Names people type for a class, keyed by their lower-case form. */
const KNOWN: Readonly<Record<string, (name: string) => ClassHint>> = {
  qemu: backend,
  firecracker: backend,
  fc: backend,
  'cloud-hypervisor': (n) => ({
    suggestion: 'microvm',
    hint: `\`${n}\` is a VMM that idyl does not offer (backends: qemu, firecracker); ask for --isolation-class microvm; ${BACKEND_TAIL}`,
  }),
  clh: (n) => KNOWN['cloud-hypervisor']!(n),
  docker: (n) => profile(n, 'container'),
  'containerd-runc': (n) => profile(n, 'container'),
  'containerd-kata-qemu': (n) => profile(n, 'microvm'),
  'containerd-kata-firecracker': (n) => profile(n, 'microvm'),
  containerd: (n) => ({
    hint: `\`${n}\` is a container engine, not an isolation class: ask for --isolation-class container or microvm`,
  }),
  runc: (n) => runtime(n, 'container'),
  crun: (n) => runtime(n, 'container'),
  'io.containerd.runc.v2': (n) => runtime(n, 'container'),
  'io.containerd.kata.v2': (n) => runtime(n, 'microvm'),
  'io.containerd.kata-qemu.v2': (n) => runtime(n, 'microvm'),
  'io.containerd.kata-fc.v2': (n) => runtime(n, 'microvm'),
  kata: (n) => runtime(n, 'microvm'),
  'kata-containers': (n) => runtime(n, 'microvm'),
  'kata-qemu': (n) => runtime(n, 'microvm'),
  'kata-fc': (n) => runtime(n, 'microvm'),
  'kata-firecracker': (n) => runtime(n, 'microvm'),
  'kata-clh': (n) => runtime(n, 'microvm'),
  runsc: (n) => ({
    suggestion: 'microvm',
    hint: `\`${n}\` (gVisor) is not offered by idyl: the classes are container and microvm; microvm is the stronger boundary`,
  }),
  gvisor: (n) => KNOWN.runsc!(n),
  vm: (n) => word(n, 'microvm'),
  'micro-vm': (n) => word(n, 'microvm'),
  micro_vm: (n) => word(n, 'microvm'),
  microvms: (n) => word(n, 'microvm'),
  'virtual-machine': (n) => word(n, 'microvm'),
  virtualmachine: (n) => word(n, 'microvm'),
  sandbox: (n) => word(n, 'microvm'),
  sandboxed: (n) => word(n, 'microvm'),
  containers: (n) => word(n, 'container'),
  oci: (n) => word(n, 'container'),
  process: (n) => word(n, 'container'),
  default: (n) => ({
    hint: `\`${n}\` is not an isolation class: leave the class out to inherit the subnet's default, or ask for container or microvm`,
  }),
};

/**
 * Explains why `value` is not an isolation class: a backend, profile or runtime
 * name gets a hint that says what it is and which class to ask for; a class in the
 * wrong case or with a typo gets the nearest class. Never returns a class for a
 * value that is a valid class (callers only ask for invalid ones).
 */
export function isolationClassHint(value: string): ClassHint {
  const lower = value.trim().toLowerCase();
  if (lower === '') return { hint: 'the isolation class is empty: ask for container or microvm, or leave it out' };
  if ((ISOLATION_CLASSES as readonly string[]).includes(lower)) {
    const cls = lower as IsolationClass;
    return { suggestion: cls, hint: `class names are lower case: ask for --isolation-class ${cls}` };
  }
  // Own keys only: `constructor` or `__proto__` typed as a class must not reach Object.prototype.
  const known = Object.hasOwn(KNOWN, lower) ? KNOWN[lower] : undefined;
  if (known) return known(value);
  const nearest = nearestClass(lower);
  if (nearest) return { suggestion: nearest, hint: `did you mean --isolation-class ${nearest}?` };
  return { hint: 'ask for --isolation-class container or microvm' };
}

/** The class within a small edit distance of `value`, if exactly one is nearest. */
function nearestClass(value: string): IsolationClass | undefined {
  let best: IsolationClass | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const cls of ISOLATION_CLASSES) {
    const d = editDistance(value, cls);
    if (d < bestDistance) [best, bestDistance, tie] = [cls, d, false];
    else if (d === bestDistance) tie = true;
  }
  // Beyond a third of the word, a suggestion is a guess rather than a correction.
  if (tie || best === undefined || bestDistance > Math.max(2, Math.floor(best.length / 3))) return undefined;
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
