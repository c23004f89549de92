/** Every CLI command, in the order `--help` lists them. One line per command. */
import type { Command } from '../command';
import { publishCommand } from './publish';

export const COMMANDS: readonly Command[] = [publishCommand];
