/** The --threads flag: sets the native thread pool when given. */
import { native } from "../native/index.ts";

export function applyThreads(threads?: number): void {
  if (threads !== undefined) native.setThreads(threads);
}
