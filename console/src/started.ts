/** Imported first by main.ts: marks when the script began to run (the benchmark reads it). */
performance.mark('console:script');
