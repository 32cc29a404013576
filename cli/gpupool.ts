#!/usr/bin/env node
/** The gpupool command line. */
import { Command } from 'commander';
import { runDemo } from './demo.js';

const program = new Command();
program.name('gpupool').description('Event-sourced GPU scheduling engine for ML platforms').version('0.1.0');

program
  .command('demo')
  .description('build a small cluster, submit jobs and print how they were scheduled')
  .action(async () => {
    await runDemo();
  });

await program.parseAsync(process.argv);
