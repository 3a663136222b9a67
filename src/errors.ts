/**
 * Errors caused by the user's input (a bad file, flag or config value). The CLI prints the
 * message alone, without a stack trace, so the message must say what is wrong and where.
 */
export class UserInputError extends Error {
  override name = "UserInputError";
}

/** The error for a file that could not be opened or read: "FILE: file not found", else the errno code. */
export function fileAccessError(file: string, cause: unknown, action: "open" | "read"): UserInputError {
  const code = (cause as NodeJS.ErrnoException).code;
  return new UserInputError(code === "ENOENT" ? `${file}: file not found` : `${file}: cannot ${action} (${code})`);
}
