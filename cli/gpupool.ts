#!/usr/bin/env node
/**
 * The gpupool command line's entry. For `simulate` it starts the simulation's thread first, so
 * that the thread loads the simulator (some 0.1 s of modules) on the other core while this thread
 * loads the rest of the command line (main.ts: the options' parser and its modules); the command
 * then hands the thread its request. Every other command goes straight to the command line.
 */
import { startSimulationThread } from './simulate-thread.js';

if (process.argv[2] === 'simulate') startSimulationThread();
await import('./main.js');
