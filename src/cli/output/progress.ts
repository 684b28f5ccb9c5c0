import type { TextSink } from '../io.js';

/**
 * Shows the stages of a long wait on one line of a terminal
 * (`Accepted → Scheduled → Pulling → Running`). Repeated stages print once. Created
 * only for a terminal with table output; otherwise `silentProgress` is used.
 */
export interface Progress {
  stage(name: string, detail?: string): void;
  /** Ends the line (before an error message or the result). */
  end(): void;
}

/** Progress written to `sink`. */
export function terminalProgress(sink: TextSink): Progress {
  let last: string | undefined;
  let open = false;
  return {
    stage(name, detail) {
      const label = detail ? `${name} (${detail})` : name;
      if (label === last) return;
      sink.write(open ? ` → ${label}` : label);
      last = label;
      open = true;
    },
    end() {
      if (open) sink.write('\n');
      open = false;
    },
  };
}

/** Progress that shows nothing (pipes, `-o json`, `-o yaml`). */
export const silentProgress: Progress = { stage: () => undefined, end: () => undefined };
