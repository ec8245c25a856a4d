import type { Command } from "commander";

/** A sub-command: adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

/** Every sub-command, in the order `--help` lists them. One line each; add yours here. */
export const commands: RegisterCommand[] = [];
