/**
 * Errors caused by the user's input (a bad file, flag or config value). The CLI prints the
 * message alone, without a stack trace, so the message must say what is wrong and where.
 */
export class UserInputError extends Error {
  override name = "UserInputError";
}
