/**
 * Ctrl-C in a training loop (`rlzero train`, `rlzero pretrain`): the first asks the loop to stop
 * after the current step, which it checkpoints; a second quits at once.
 */
export class StopOnCtrlC {
  /** Set by the first Ctrl-C. */
  requested = false;

  private readonly onSigint = (): void => {
    if (this.requested) process.exit(130);
    this.requested = true;
    this.log("interrupted: saving a checkpoint after this step (Ctrl-C again to quit now)");
  };

  constructor(private readonly log: (line: string) => void) {
    process.on("SIGINT", this.onSigint);
  }

  dispose(): void {
    process.off("SIGINT", this.onSigint);
  }
}
