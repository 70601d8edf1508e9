// What the machine has, found without asking the addon (so a test of the addon's answer is not
// judged by that same answer). Not a test file: ava only runs *.test.ts.
import { existsSync } from 'node:fs';

/** An NVIDIA GPU device node is present (Linux): the driver exposes at least one GPU. */
export const gpuPresent = existsSync('/dev/nvidia0');

/** Why a test that needs the other kind of machine did not run. */
export const noGpuReason = 'needs a GPU: no /dev/nvidia0 on this machine';
export const gpuReason = 'checks the no-GPU behaviour: this machine has /dev/nvidia0';
